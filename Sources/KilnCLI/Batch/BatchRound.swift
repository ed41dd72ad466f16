import Foundation
import KilnCache
import KilnCore
import KilnEngine
import KilnImaging
import KilnLock
import KilnOpenAI
import KilnPlanner
import Logging

/// One round of `kiln build --batch`, before the engine runs: collect the batches that finished
/// (their images go into the cache under their steps' keys), send the OpenAI steps that are ready
/// as new batches, and say which steps this build leaves out — those in a batch, and those that
/// read one. The engine then builds the rest from the cache and locally, and never calls OpenAI.
struct BatchRound {
    let records: BatchRecords
    let environment: [String: String]
    let prices: PriceTable
    /// Which OpenAI steps go in batches (`--batch`: all; else those marked `mode: batch`).
    var sendsInBatch: @Sendable (PlannedStep) -> Bool = { $0.kind.usesProvider && $0.provider == "openai" }
    /// The shared remote cache, where batches are published for other machines and found from them.
    var remote: RemoteTier?
    var logger = Logger(label: "kiln.batch")

    struct Outcome {
        /// Steps the engine leaves out this time.
        var excluded: Set<StepID> = []
        var submitted: [BatchRecord] = []
        var running: [BatchRecord] = []
        var collected: [BatchRecord] = []
        var stored = 0
        /// Lines of batches collected now that produced no image (step, batch, why).
        var failed: [(step: String, batch: String, message: String)] = []
        /// Steps of this plan whose last batch answer was a refusal asking again would not fix.
        var refused: [(step: StepID, message: String)] = []
        /// Steps that wait for a step in a batch (they go in a later batch or build).
        var waiting = 0
        /// Candidate steps (`candidates:`), which are not sent in batches yet.
        var notBatched: [StepID] = []
        /// Batches another machine sent, found through the remote cache's holds.
        var adopted: [BatchRecord] = []
        /// Every key in a batch not collected yet → the batch (what the engine must not send).
        var held: [String: String] = [:]

        /// Steps whose holds the remote cache did not answer for (they may be in another machine's batch).
        var uncheckedHolds = 0
        /// Holds or records in the remote cache that were refused (unsigned, altered, not Kiln's).
        var refusedHolds = 0
        /// Batches the remote cache could not be told about (other machines may send their steps).
        var unshared = 0
        /// Why batches out were not looked at (no key), if they were not.
        var notCollected: String?

        /// Where this project's batch records are (for the wait between rounds).
        var records: BatchRecords?

        /// The command that collects (what this build was run as); nil under `--wait`, which does.
        var rerun: String? = "kiln build --batch"

        /// Batches still to collect: the build is not done.
        var pending: Bool { !running.isEmpty || !submitted.isEmpty }
    }

    func run(plan: Plan, check: UpToDateCheck, project: ProjectFiles) async throws -> Outcome {
        var outcome = Outcome()
        outcome.records = records
        let toRun = check.stepsToRun(plan)
        var current = records.pruned(records.all())
        let holds = remote.map { RemoteBatchHolds(tier: $0) }
        if let remote, let holds {
            // Steps about to be paid for (and not in a batch of this checkout): results another
            // machine made come from the cache; for the rest, a hold says another machine has them
            // in a batch.
            let heldHere = BatchRecords.held(in: current)
            let missing = toRun.filter { $0.kind.usesProvider && $0.provider == "openai" && heldHere[$0.cacheKey] == nil
                && !project.cache.hasEntry($0.cacheKey) }.map(\.cacheKey)
            if !missing.isEmpty {
                let fetched = await remote.fetchAll(missing)
                let found = await holds.find(holding: missing.filter { !fetched.contains($0) }, known: Set(current.map(\.name)))
                for record in found.records { try records.save(record) }
                outcome.adopted = found.records.filter { !$0.collected }
                (outcome.uncheckedHolds, outcome.refusedHolds) = (found.unchecked, found.refused)
                current += found.records
            }
        }
        outcome.held = BatchRecords.held(in: current)
        let batchSteps = toRun.filter(sendsInBatch)
        let open = current.filter { !$0.collected }
        guard !batchSteps.isEmpty || !open.isEmpty else { return outcome }

        var configuration = OpenAIConfiguration(environment: environment, settings: plan.providers["openai"], kilnVersion: Kiln.version)
        guard configuration.apiKey?.isEmpty == false else {
            guard batchSteps.isEmpty else {
                throw SetupError(message: "batch mode sends steps to OpenAI's Batch API, which needs a key: export OPENAI_API_KEY=… (or build with --direct)")
            }
            // Nothing to send: the batches out wait for a build with a key; their steps stay held.
            outcome.notCollected = "\(open.count) batch(es) out are not collected without OPENAI_API_KEY; their steps wait for them"
            return outcome
        }
        configuration.retries = max(configuration.retries, 4)
        let steps = Dictionary(plan.steps.map { ($0.cacheKey, $0) }, uniquingKeysWith: { a, _ in a })
        var share: (@Sendable (String) -> Void)?
        if let remote { share = { key in remote.upload(key) } }
        let known = current
        return try await BatchClient.withClient(configuration: configuration, logger: logger) { client in
            let collector = BatchCollector(client: client, records: records, cache: project.cache, steps: steps,
                                           prices: prices, secrets: configuration.apiKey.map { [$0] } ?? [],
                                           share: share, holds: holds)
            let pass = try await collector.pass(known)
            outcome.stored = pass.stored
            outcome.failed = pass.failed
            outcome.running = pass.running
            outcome.collected = pass.collected

            let current = records.all()
            let held = BatchRecords.held(in: current)
            let refusals = BatchRecords.finalFailures(in: current)
            var excluded = Set<StepID>()
            var ready = [(key: String, request: ImageRequest)]()
            var toolkitReady = false
            let index = Self.index(plan)
            for step in toRun {
                if step.dependencies.contains(where: { excluded.contains(index[$0] ?? $0) }) {
                    excluded.insert(step.id)
                    outcome.waiting += 1
                    continue
                }
                guard step.kind.usesProvider, step.provider == "openai", !project.cache.hasEntry(step.cacheKey) else { continue }
                // In a batch still out: it waits for that batch, even in a direct build.
                if held[step.cacheKey] != nil {
                    excluded.insert(step.id)
                    continue
                }
                guard sendsInBatch(step) else { continue }
                if step.candidate != nil {
                    // Candidates go out together as one request of n images: this build sends them directly.
                    outcome.notBatched.append(step.id)
                    continue
                }
                excluded.insert(step.id)
                if let message = refusals[step.cacheKey] {
                    outcome.refused.append((step.id, message))
                    continue
                }
                guard let upstream = Self.upstream(of: step, plan: plan, index: index, project: project) else {
                    outcome.waiting += 1
                    continue
                }
                if step.kind == .edit && !toolkitReady {
                    try VipsToolkit.initialize()
                    toolkitReady = true
                }
                ready.append((step.cacheKey, try await StepRequest.make(step, upstream: upstream, toolkit: VipsToolkit())))
            }
            outcome.excluded = excluded
            var submitter = BatchSubmitter(client: client, records: records)
            submitter.holds = holds
            outcome.submitted = try await submitter.submit(ready)
            let now = records.all()
            outcome.held = BatchRecords.held(in: now)
            if let holds { outcome.unshared = await publish(now, to: holds) }
            return outcome
        }
    }

    /// Tells machines sharing the remote cache about every batch still out that they have not been
    /// told about (those a crash or an outage kept from it); returns how many could not be told.
    private func publish(_ records: [BatchRecord], to holds: RemoteBatchHolds) async -> Int {
        guard holds.canWrite else { return 0 }
        var unshared = 0
        for var record in records where !record.collected && record.published != true {
            guard await holds.publish(record, holds: true) else {
                unshared += 1
                continue
            }
            record.published = true
            try? self.records.save(record)
        }
        return unshared
    }

    /// Every id and alias → the step's own id.
    static func index(_ plan: Plan) -> [StepID: StepID] {
        var index = [StepID: StepID]()
        for step in plan.steps {
            index[step.id] = step.id
            for alias in step.aliases { index[alias] = step.id }
        }
        return index
    }

    /// The first image of each step `step` reads, from the cache or (for a step that is up to
    /// date) its first output file; nil when one is in neither.
    static func upstream(of step: PlannedStep, plan: Plan, index: [StepID: StepID], project: ProjectFiles) -> [StepID: Data]? {
        var upstream = [StepID: Data]()
        for input in step.inputs + (step.mask.map { [$0] } ?? []) {
            guard let ref = input.stepID else { continue }
            guard let owner = plan.steps.first(where: { $0.id == (index[ref] ?? ref) }) else { return nil }
            if let hit = try? project.cache.lookup(owner.cacheKey), let first = hit.images.first {
                upstream[ref] = first
            } else if let output = owner.outputs.first(where: { $0.index == 0 }),
                      let data = PosixFile.read(project.outputDirectory.appendingPathComponent(output.path).path) {
                upstream[ref] = data
            } else {
                return nil
            }
        }
        return upstream
    }
}
