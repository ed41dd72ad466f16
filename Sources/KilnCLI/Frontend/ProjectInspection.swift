import Foundation
import KilnCore
import KilnCache
import KilnEngine
import KilnPlanner
import KilnLock

/// What `kiln status`, `kiln plan --explain` and `kiln clean` look at: the plan, checked against
/// kiln.lock, the stat cache, the cache and the files in outputs/. Reads only; writes nothing
/// except the stat cache (which only saves re-hashing next time).
struct ProjectInspection: Sendable {
    let project: ProjectFiles
    let outcome: Frontend.Outcome
    let plan: Plan
    let report: StalenessReport

    /// Plans `items` as `kiln build` would (with the lockfile's provider when no key or
    /// `--provider` says otherwise). Returns nil after printing the diagnostics when there is no plan.
    static func inspect(_ items: [String], provider: String?, outputDirectory: String, cacheDirectory: String?,
                        frontend: Frontend = Frontend()) -> ProjectInspection? {
        guard let (project, outcome, plan) = ProjectFiles.plan(
            items, provider: provider, outputDirectory: outputDirectory, cacheDirectory: cacheDirectory,
            lockedProvider: true, frontend: frontend) else { return nil }
        let check = UpToDateCheck(plan: plan, baseline: project.baseline())
        let report = StalenessReport(plan: plan, lock: project.lock, check: check, cacheHasKey: project.cache.hasEntry)
        try? project.saveStatCache()
        return ProjectInspection(project: project, outcome: outcome, plan: plan, report: report)
    }

    /// `kiln status`: counts, then each step that is not up to date with why, grouped by what
    /// building it would cost.
    func statusText() -> String {
        let entries = report.entries
        let current = entries.filter { $0.reason == .upToDate }
        let restore = entries.filter { $0.reason == .cached }
        let paid = entries.filter { $0.reason.needsRun && $0.kind.usesProvider }
        let local = entries.filter { $0.reason.needsRun && !$0.kind.usesProvider }
        var lines = ["\(entries.count) step(s): \(current.count) up to date, \(restore.count) in the cache, "
            + "\(paid.count) to pay for, \(local.count) local"]
        let adoptions = adoptions()
        func section(_ title: String, _ items: [StalenessReport.Entry]) {
            guard !items.isEmpty else { return }
            lines.append("\(title):")
            for item in items {
                lines.append("  \(item.step): \(Self.why(item, adoptedFrom: adoptions[item.step], candidateNote: candidateNote(item.step)))")
            }
        }
        section("from the cache, no call", restore)
        section("would call a provider", paid)
        section("local work", local)
        lines += candidateLines()
        if project.lock == nil { lines.append("no \(LockFile.fileName) yet: `kiln build` writes it") }
        if paid.isEmpty && local.isEmpty && restore.isEmpty { lines.append("everything is up to date") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `kiln plan --explain`: every step, in order, with why it would run or why not.
    func explanationText() -> String {
        var rows = [["STEP", "KIND", "WHY"]]
        let adoptions = adoptions()
        for entry in report.entries {
            rows.append([entry.step.description, entry.kind.rawValue,
                         Self.why(entry, adoptedFrom: adoptions[entry.step], candidateNote: candidateNote(entry.step))])
        }
        let widths = (0..<2).map { c in rows.map { $0[c].count }.max() ?? 0 }
        let body = rows.map { row in
            row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + row[2]
        }
        let paid = report.entries.filter { $0.reason.needsRun && $0.kind.usesProvider }.count
        return body.joined(separator: "\n") + "\n\(paid) step(s) would call a provider\n"
    }

    /// The reason, then the damaged outputs and where an adopted answer came from, then which
    /// candidate a step with candidates uses: `cached (adopted from outputs/icons/home.png)`,
    /// `up to date — unpicked (using candidate 1 of 4)`.
    static func why(_ entry: StalenessReport.Entry, adoptedFrom: [String]?, candidateNote: String? = nil) -> String {
        var notes = entry.damage.map(\.description)
        if let adoptedFrom { notes.append("adopted from " + adoptedFrom.joined(separator: ", ")) }
        return entry.reason.description + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")
            + (candidateNote.map { " — " + $0 } ?? "")
    }

    /// For a step with candidates, which one is in use and, after a pick, which one the last build
    /// used: `picked candidate 3 of 4, was candidate 1` (the step is `cached`, so the reason alone
    /// would not say what changed).
    func candidateNote(_ id: StepID) -> String? {
        guard let set = plan.candidates[id] else { return nil }
        guard let built = project.lock?.steps[id]?.fields["candidate"], built != String(set.chosen) else { return set.summary }
        return "\(set.summary), was candidate \(built)"
    }

    /// `candidates:` then one line per step with candidates, and how to choose: what `kiln status`
    /// says so an unpicked step is not forgotten.
    func candidateLines() -> [String] {
        guard !plan.candidates.isEmpty else { return [] }
        var lines = ["candidates:"]
        for (id, set) in plan.candidates.sorted(by: { $0.key < $1.key }) { lines.append("  \(id): \(set.summary)") }
        if plan.candidates.values.contains(where: { !$0.picked }) {
            lines.append("  `kiln pick TARGET K` chooses one; `kiln reroll TARGET [--keep K]` makes new ones")
        }
        return lines
    }

    /// The files each adopted answer came from, for the generate and edit steps that need not call
    /// their provider (up to date or cached): one small read of a cache record per such step.
    func adoptions() -> [StepID: [String]] {
        var found = [StepID: [String]]()
        for (step, entry) in zip(plan.steps, report.entries) where step.kind.usesProvider && !entry.reason.needsRun {
            if let adopted = project.cache.record(for: step.cacheKey)?.adopted { found[step.id] = adopted.from }
        }
        return found
    }
}

extension ProjectFiles {
    /// Writes the stat cache when hashing added to it (inspection commands read files too).
    func saveStatCache() throws {
        guard state.hasChanges else { return }
        try FileManager.default.createDirectory(at: stateURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try state.write(to: stateURL)
    }
}
