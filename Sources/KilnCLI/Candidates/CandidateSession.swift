import Foundation
import KilnCore
import KilnGallery
import KilnLock
import KilnPlanner

/// `kiln pick` and `kiln reroll` from arguments to exit status: plan every manifest as `kiln
/// status` does (with kiln.lock's provider when no key or `--provider` says otherwise), find the
/// one step with candidates the target names, change kiln.lock's `picks` or `rerolls` lines and
/// nothing else, then say what the next build will do. Never builds and never calls a provider:
/// a pick reads an answer already paid for, and a re-roll's new candidates are paid for by the next
/// `kiln build`, which also writes the step entries. Bad input changes nothing, byte for byte.
struct CandidateSession: Sendable {
    enum Change: Sendable {
        /// `kiln pick TARGET K`.
        case pick(String)
        /// `kiln reroll TARGET [--keep K]`.
        case reroll(keep: String?)
    }

    var target: String
    var change: Change
    var provider: String?
    var paths: ProjectArguments

    /// 0 recorded (or nothing to change); 2 refused (an unknown target, a step without candidates, a
    /// number out of range, an invalid manifest or lockfile) with kiln.lock left as it was.
    func run(frontend: Frontend = Frontend(), keep: (any Sendable) -> Void = { _ in }) -> ExitStatus {
        let unchanged = "\(LockFile.fileName) was not changed"
        guard let (project, outcome, plan) = ProjectFiles.plan(
            [], provider: provider, outputDirectory: paths.out, cacheDirectory: paths.cacheDir,
            lockedProvider: true, frontend: frontend, notices: false) else {
            Console.err(unchanged)
            return .invalid
        }
        keep((project, outcome, plan))
        let resolved = CandidateTarget.resolve(target, in: plan)
        let current = project.lock ?? LockFile()
        let changed = resolved.flatMap { apply(to: $0, choices: current.choices) }
        guard case let .success(target) = resolved, case let .success((choices, done)) = changed else {
            if case let .failure(problem) = changed { Console.err("error: \(problem)") }
            Console.err(unchanged)
            return .invalid
        }
        guard choices != current.choices else {
            Console.out("\(target.id): \(target.set.summary) already; \(unchanged)\n")
            return .success
        }
        // The lock as it is now (a build may have written it since it was read), with only the
        // choices changed.
        var updated = (try? LockFile.read(from: project.lockURL)) ?? current
        updated.choices = choices
        do {
            try updated.write(to: project.lockURL)
        } catch {
            Console.err("error: \(error)")
            return .buildFailed
        }
        Console.out("\(target.id): \(done)\n")
        if case .reroll = change { rememberReplaced(target, plan: plan, project: project, before: current.choices, after: choices) }
        if let next = nextBuild(project, lock: updated, frontend: frontend) {
            Console.out("next `kiln build` (as `kiln status` now says):\n" + next)
        }
        return .success
    }

    /// The choices after this change, and what was done, in words; or why it cannot be made.
    func apply(to target: CandidateTarget, choices: CandidateChoices) -> Result<(CandidateChoices, String), CandidateProblem> {
        var choices = choices
        let (id, set) = (target.id, target.set)
        switch change {
        case let .pick(text):
            return target.number(text, option: "K").map { number in
                choices.picks[id] = number
                let before = set.picked ? "candidate \(set.chosen)" : "unpicked, candidate \(set.chosen) in use"
                return (choices, "picked candidate \(number) of \(set.count) (before: \(before))")
            }
        case let .reroll(keepText):
            var kept: Int?
            if let keepText {
                switch target.number(keepText, option: "--keep") {
                case let .success(number): kept = number
                case let .failure(problem): return .failure(problem)
                }
            }
            let used = Set((1...set.count).compactMap { choices.rerolls[id.candidate($0)] })
            let salt = Self.newSalt(avoiding: used)
            let rolled = (1...set.count).filter { $0 != kept }
            for number in rolled { choices.rerolls[id.candidate(number)] = salt }
            // The kept candidate is the one in use; without --keep every image is new, so none is picked.
            choices.picks[id] = kept
            let keptText = kept.map { " (kept candidate \($0), now picked)" } ?? " (unpicked: candidate 1 is used until `kiln pick`)"
            return .success((choices, "re-rolled candidate(s) \(rolled.map(String.init).joined(separator: ", ")) of \(set.count) with salt \(salt)\(keptText)"))
        }
    }

    /// Writes down the candidates a re-roll replaced (`.kiln/rerolled.json`), so the gallery keeps
    /// showing them while the cache has their answers, and says so.
    func rememberReplaced(_ target: CandidateTarget, plan: Plan, project: ProjectFiles,
                          before: CandidateChoices, after: CandidateChoices) {
        let index = plan.index()
        let url = EarlierCandidates.url(in: project.root)
        var earlier = EarlierCandidates.load(from: url)
        var kept = 0
        for number in 1...target.set.count {
            let id = target.id.candidate(number)
            guard before.rerolls[id] != after.rerolls[id], let i = index[id],
                  project.cache.hasEntry(plan.steps[i].cacheKey) else { continue }
            earlier.add(.init(step: id, cacheKey: plan.steps[i].cacheKey))
            kept += 1
        }
        guard kept > 0 else { return }
        do {
            try earlier.write(to: url)
            Console.out("the \(kept) replaced candidate(s) stay in the cache, and in the gallery marked re-rolled, until `kiln cache gc` removes them\n")
        } catch {
            Console.err("warning: could not note the replaced candidates for the gallery: \(error)")
        }
    }

    /// 8 random hex digits, not one of `used`: a new key for every re-rolled candidate.
    static func newSalt(avoiding used: Set<String>) -> String {
        var generator = SystemRandomNumberGenerator()
        while true {
            let salt = String(format: "%08x", UInt32.random(in: .min ... .max, using: &generator))
            if !used.contains(salt) { return salt }
        }
    }

    /// What the next build will do with the new choices: `kiln status` of the project planned with them.
    func nextBuild(_ project: ProjectFiles, lock: LockFile, frontend: Frontend) -> String? {
        let state = project.state
        let outcome = frontend.plan([], provider: provider, outputDirectory: project.outputDirectory,
                                    fallbackProvider: project.lockedProvider, fileDigest: project.fileDigest,
                                    inputFile: { state.inputFile($0) }, choices: { lock.choices })
        guard let plan = outcome.plan else { return nil }
        let check = UpToDateCheck(plan: plan, baseline: project.baseline())
        let report = StalenessReport(plan: plan, lock: lock, check: check, cacheHasKey: project.cache.hasEntry)
        return ProjectInspection(project: project, outcome: outcome, plan: plan, report: report).statusText()
    }
}
