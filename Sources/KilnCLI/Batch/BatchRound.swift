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

        /// The command that collects (what this build was run as).
        var rerun = "kiln build --batch"

        /// Batches still to collect: the build is not done.
        var pending: Bool { !running.isEmpty || !submitted.isEmpty }
    }

    func run(plan: Plan, check: UpToDateCheck, project: ProjectFiles) async throws -> Outcome {
        var outcome = Outcome()
        let toRun = check.stepsToRun(plan)
        var current = records.pruned(records.all())
        if let remote {
            // Steps about to be paid for: results another machine made come from the cache;
            // for the rest, a hold says another machine has them in a batch.
            let missing = toRun.filter { $0.kind.usesProvider && $0.provider == "openai" && !project.cache.hasEntry($0.cacheKey) }
            if !missing.isEmpty {
                let fetched = await remote.fetchAll(missing.map(\.cacheKey))
                let heldHere = BatchRecords.held(in: current)
                let keys = missing.map(\.cacheKey).filter { !fetched.contains($0) && heldHere[$0] == nil }
                outcome.adopted = await RemoteBatchHolds(tier: remote).records(holding: keys, known: Set(current.map(\.name)))
                for record in outcome.adopted { try records.save(record) }
                current += outcome.adopted
            }
        }
        outcome.held = BatchRecords.held(in: current)
        let batchSteps = toRun.filter(sendsInBatch)
        let open = current.filter { !$0.collected }
        guard !batchSteps.isEmpty || !open.isEmpty else { return outcome }

        var configuration = OpenAIConfiguration(environment: environment, settings: plan.providers["openai"], kilnVersion: Kiln.version)
        guard configuration.apiKey?.isEmpty == false else {
            throw SetupError(message: "batch mode sends steps to OpenAI's Batch API, which needs a key: export OPENAI_API_KEY=… (or build with --direct)")
        }
        configuration.retries = max(configuration.retries, 4)
        let steps = Dictionary(plan.steps.map { ($0.cacheKey, $0) }, uniquingKeysWith: { a, _ in a })
        var share: (@Sendable (String) -> Void)?
        if let remote { share = { key in remote.upload(key) } }
        let known = current
        return try await BatchClient.withClient(configuration: configuration, logger: logger) { client in
            let collector = BatchCollector(client: client, records: records, cache: project.cache, steps: steps,
                                           prices: prices, secrets: configuration.apiKey.map { [$0] } ?? [],
                                           share: share)
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
            outcome.submitted = try await BatchSubmitter(client: client, records: records).submit(ready)
            outcome.held = BatchRecords.held(in: current + outcome.submitted)
            if let remote { await publish(current + outcome.submitted, to: remote) }
            return outcome
        }
    }

    /// Tells machines sharing the remote cache about every batch still out that they have not been
    /// told about (those sent now, and any whose publication a crash or an outage stopped).
    private func publish(_ records: [BatchRecord], to remote: RemoteTier) async {
        let holds = RemoteBatchHolds(tier: remote)
        for var record in records where !record.collected && record.published != true && record.batchID != nil {
            guard await holds.publish(record) else {
                if !remote.options.readOnly {
                    Console.err("warning: batch \(record.shownID) could not be recorded in the remote cache; other machines may send its steps again (the next run tries again)")
                }
                return
            }
            record.published = true
            try? self.records.save(record)
        }
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
