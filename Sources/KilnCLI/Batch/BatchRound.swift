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

        /// Batches still to collect: the build is not done.
        var pending: Bool { !running.isEmpty || !submitted.isEmpty }
    }

    func run(plan: Plan, check: UpToDateCheck, project: ProjectFiles) async throws -> Outcome {
        var outcome = Outcome()
        let toRun = check.stepsToRun(plan)
        let openAISteps = toRun.filter { $0.kind.usesProvider && $0.provider == "openai" }
        let open = records.all().filter { !$0.collected }
        guard !openAISteps.isEmpty || !open.isEmpty else { return outcome }

        var configuration = OpenAIConfiguration(environment: environment, settings: plan.providers["openai"], kilnVersion: Kiln.version)
        guard configuration.apiKey?.isEmpty == false else {
            throw SetupError(message: "--batch sends steps to OpenAI's Batch API, which needs a key: export OPENAI_API_KEY=…")
        }
        configuration.retries = max(configuration.retries, 4)
        let steps = Dictionary(plan.steps.map { ($0.cacheKey, $0) }, uniquingKeysWith: { a, _ in a })
        return try await BatchClient.withClient(configuration: configuration, logger: logger) { client in
            let collector = BatchCollector(client: client, records: records, cache: project.cache, steps: steps,
                                           prices: prices, secrets: configuration.apiKey.map { [$0] } ?? [])
            let pass = try await collector.pass()
            outcome.stored = pass.stored
            outcome.failed = pass.failed
            outcome.running = pass.running
            outcome.collected = pass.collected

            let held = records.held()
            let refusals = records.finalFailures()
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
                excluded.insert(step.id)
                if held[step.cacheKey] != nil { continue }
                if let message = refusals[step.cacheKey] {
                    outcome.refused.append((step.id, message))
                    continue
                }
                if step.candidate != nil {
                    outcome.notBatched.append(step.id)
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
            return outcome
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
