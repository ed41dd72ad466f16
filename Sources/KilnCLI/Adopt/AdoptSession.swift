import Foundation
import KilnCore
import KilnEngine
import KilnImaging
import KilnLock

/// `kiln adopt TARGET… [--from DIR]` from arguments to exit status: plan every manifest, pick the
/// generate and edit steps the targets name, check a file for each of their outputs, and only when
/// every file passes, record them (`AdoptionRecorder`). Never calls a provider and never uses the
/// API key (whether one is set only picks the default provider, as for every command): an adopted
/// file is what was paid for elsewhere, or never.
struct AdoptSession: Sendable {
    var selection: SelectionArguments
    var paths: ProjectArguments
    /// `--from DIR`: read each file at its output path under DIR instead of under the output folder.
    var from: String?

    /// Runs the adoption and returns the exit status: 0 recorded; 2 nothing recorded (no target, a
    /// target with nothing to adopt, a refused file, an invalid manifest); 1 recording failed part
    /// way (what was stored stays in the cache, and `kiln build` places it).
    func run(frontend: Frontend = Frontend(), keep: (any Sendable) -> Void = { _ in }) async -> ExitStatus {
        let (manifests, targets) = frontend.workspace.split(selection.items)
        guard !targets.isEmpty else {
            Console.err("error: name what to adopt: `kiln adopt TARGET…` (an asset, asset@variant or step id); "
                + "adopt never applies to everything at once")
            return .invalid
        }
        let folder = from ?? paths.out
        var isFolder: ObjCBool = false
        if let from, !FileManager.default.fileExists(atPath: frontend.workspace.url(from).path, isDirectory: &isFolder)
            || !isFolder.boolValue {
            Console.err("error: --from '\(from)' is not a folder: adopt reads each file at its output path under it "
                + "(laid out like \(paths.out)/)")
            return .invalid
        }
        // Every manifest is planned, so a target is matched as `build --force` matches it and the
        // derives made from an adopted step are found even when the target is a step id.
        guard let (project, outcome, plan) = ProjectFiles.plan(
            manifests, provider: selection.provider, outputDirectory: paths.out, cacheDirectory: paths.cacheDir,
            lockedProvider: true, frontend: frontend, notices: false) else { return .invalid }
        let chosen = AdoptionSelection(targets: targets, plan: plan)
        guard chosen.problems.isEmpty else {
            chosen.problems.forEach { Console.err("error: \($0)") }
            Console.err("nothing was adopted")
            return .invalid
        }
        do {
            try VipsToolkit.initialize()
        } catch {
            Console.err("error: \(error)")
            return .invalid
        }
        let shown = folder.hasSuffix("/") && folder.count > 1 ? String(folder.dropLast()) : folder
        let check = AdoptionCheck(folder: frontend.workspace.url(folder), shownFolder: shown)
        let candidates: [AdoptionCandidate]
        switch await check.check(chosen.steps) {
        case let .success(checked): candidates = checked
        case let .failure(problems):
            problems.refusals.forEach { Console.err("error: \($0)") }
            Console.err("nothing was adopted: \(problems.refusals.count) file problem(s); fix them and run `kiln adopt` again")
            return .invalid
        }
        notes(candidates, chosen: chosen, plan: plan, project: project).forEach(Console.err)
        let options = BuildOptions(outputDirectory: project.outputDirectory, prices: Frontend.prices(outcome.manifests),
                                   keepEarlierFiles: true)
        let recorder = AdoptionRecorder(plan: plan, project: project, options: options)
        let status = await record(candidates, with: recorder)
        keep((project, outcome, plan))
        return status
    }

    /// Stores, places and reports; the exit status.
    func record(_ candidates: [AdoptionCandidate], with recorder: AdoptionRecorder) async -> ExitStatus {
        let stored: AdoptionRecorder.Stored
        let placed: (report: BuildReport, rederived: Int)
        do {
            stored = try await recorder.store(candidates)
            placed = try await recorder.place(Set(candidates.map(\.step.id)))
        } catch {
            Console.err("error: \(error)")
            Console.err("nothing was paid for; what was stored stays in the cache, and `kiln build` places it")
            return .buildFailed
        }
        for (step, files) in stored.adopted { Console.out("adopted \(step) ← \(files.joined(separator: ", "))\n") }
        for step in stored.alreadyCached { Console.out("cached  \(step): the cache already holds these images as its answer\n") }
        for (step, earlier) in stored.replaced {
            Console.err("note: \(step): the adopted files replace the cached answer (\(earlier)) under the same key")
        }
        let summary = placed.report.summary
        for failure in summary.failures { Console.err("error: \(failure.step): \(failure.error)") }
        if let problem = summary.manifestError { Console.err("error: \(problem)") }
        guard summary.exitCode == 0 else {
            Console.err("nothing was paid for; the adopted answers are in the cache, and `kiln build` places them")
            return .buildFailed
        }
        let files = stored.adopted.reduce(0) { $0 + $1.files.count }
        let derived = placed.rederived > 0 ? ", \(placed.rederived) derived step(s) redone from them" : ""
        let what = files > 0 ? "\(files) file(s) adopted for \(stored.adopted.count) step(s)" : "nothing new to adopt"
        Console.err("\(what)\(derived): nothing was paid for; \(LockFile.fileName) and the output manifest record them")
        return .success
    }

    /// What the person should know before the files are recorded: steps recorded as the offline
    /// renderer's answers because nothing named a provider, and intermediate steps left to a build.
    func notes(_ candidates: [AdoptionCandidate], chosen: AdoptionSelection, plan: Plan, project: ProjectFiles) -> [String] {
        var notes = [String]()
        let offline = candidates.filter {
            plan.defaultProviderSteps.contains($0.step.id) && $0.step.provider == ProviderNames.placeholder
        }
        if !offline.isEmpty {
            notes.append("note: \(offline.count) step(s) name no provider and neither OPENAI_API_KEY, --provider nor "
                + "\(LockFile.fileName) chooses one, so they are recorded as answers of the offline placeholder provider, "
                + "which a build with a key does not use; pass --provider openai to record them as OpenAI's")
        }
        for step in chosen.intermediates
        where project.lock?.steps[step.id]?.cacheKey != step.cacheKey && !project.cache.hasEntry(step.cacheKey) {
            notes.append("note: \(step.id) writes no file, so it is not adopted; `kiln build` still calls the provider for it")
        }
        return notes
    }
}
