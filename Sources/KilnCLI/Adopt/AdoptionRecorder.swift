import Foundation
import KilnCache
import KilnCore
import KilnEngine
import KilnImaging
import KilnLock
import Logging

/// Records checked files as the answers of their steps, the way a build would have: each is
/// stored in the result cache under the step's current key (marked adopted: no request id, usage
/// or cost), then the build engine runs those steps — cache hits — and the derive steps made from
/// them, so outputs/, the output manifest and kiln.lock are written by the same code as always.
/// The engine gets the `--locked` stand-ins for providers: a provider call is impossible, not
/// just unlikely.
struct AdoptionRecorder: Sendable {
    /// Every step of the manifests, for kiln.lock's fingerprints and to find the derives to redo.
    let plan: Plan
    let project: ProjectFiles
    let options: BuildOptions

    /// What `store` did with each step.
    struct Stored: Sendable {
        /// Stored as adopted: the step and its files, as the person named them.
        var adopted = [(step: StepID, files: [String])]()
        /// The cache already held exactly these images for the step's key: left as they were.
        var alreadyCached = [StepID]()
        /// Answers the adopted files replaced under the same key, described for a note.
        var replaced = [(step: StepID, earlier: String)]()
    }

    /// Stores each candidate's images as its step's answer, holding the key's lock so a build
    /// sharing the cache does not store a paid answer over it meanwhile. Throws `FileError` when
    /// the cache cannot be written (the entries stored before stay: they are whole).
    func store(_ candidates: [AdoptionCandidate]) async throws -> Stored {
        let cache = project.cache
        var stored = Stored()
        for candidate in candidates {
            let (step, images) = (candidate.step, candidate.images)
            let lock = try await cache.lock(step.cacheKey)
            defer { lock.release() }
            let existing = try await BlockingIO.run { try cache.lookup(step.cacheKey) }
            if let existing, existing.record.images.map(\.sha256) == images.map(\.sha256) {
                stored.alreadyCached.append(step.id)
                continue
            }
            if let existing { stored.replaced.append((step.id, Self.describe(existing.record))) }
            let adoption = CacheRecord.Adoption(from: images.map(\.shown))
            _ = try await BlockingIO.run {
                // Inline: one file per answer, as an ext4 build stores; the engine places outputs from it.
                try cache.store(key: step.cacheKey, step: step, images: images.map(\.data), digests: images.map(\.sha256),
                                usage: nil, requestID: nil, costUSD: nil, resolved: [:], layout: .inline,
                                adopted: adoption)
            }
            stored.adopted.append((step.id, adoption.from))
        }
        return stored
    }

    /// An earlier answer, for the note that says it was replaced.
    static func describe(_ record: CacheRecord) -> String {
        if let adopted = record.adopted { return "adopted from \(adopted.from.joined(separator: ", "))" }
        if let id = record.requestID { return "request \(id)" }
        return "an answer from \(record.created)"
    }

    /// The steps the engine runs for `adopted`: them, then every derive made from them (directly or
    /// through other derives), in plan order. The derives are forced: under an unchanged key the
    /// cache may hold a derive of the image the adopted file replaced.
    func placementPlan(for adopted: Set<StepID>) -> (plan: Plan, rederive: Set<StepID>) {
        let index = plan.index()
        var included = adopted, rederive = Set<StepID>(), steps = [PlannedStep]()
        for step in plan.steps {
            if adopted.contains(step.id) {
                steps.append(step)
            } else if step.kind == .derive, let source = step.dependencies.first, let i = index[source],
                      included.contains(plan.steps[i].id) {
                included.insert(step.id)
                rederive.insert(step.id)
                steps.append(step)
            }
        }
        return (Plan(steps: steps, providers: plan.providers), rederive)
    }

    /// Runs the engine over `placementPlan(for:)`: adopted steps are cache hits, their derives are
    /// redone locally, and the output manifest keeps every other file's entry. Then kiln.lock and
    /// the stat cache record what was written.
    /// - Throws: `LockFileError` when kiln.lock cannot be written.
    func place(_ adopted: Set<StepID>) async throws -> (report: BuildReport, rederived: Int) {
        let (placement, rederive) = placementPlan(for: adopted)
        var logger = Logger(label: "kiln") { ConsoleLogHandler(label: $0) }
        logger.logLevel = .warning
        let engine = BuildEngine(plan: placement, providers: LockedProvider.standIns(for: placement), toolkit: VipsToolkit(),
                                 cache: project.cache, options: options, logger: logger, progress: SilentProgress(),
                                 upToDate: UpToDateCheck(plan: placement, baseline: .none, force: rederive))
        let report = await engine.run()
        try project.save(after: report, plan: plan, partial: true, writeLock: true)
        return (report, rederive.count)
    }
}
