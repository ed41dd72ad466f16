import Foundation
import KilnCore
import Synchronization
import Logging
import KilnCache
import KilnLock

/// Runs a `Plan`: starts ready steps concurrently within each pool's limit, caches every result,
/// writes and verifies outputs, and writes the output manifest at the end of every build.
///
/// The policy lives in `BuildScheduler`; this type carries out its actions in one task group:
/// each step is a child task, and the loop feeds finished steps back to the scheduler. Provider
/// calls take a slot in the `network` pool (`jobs`) and their provider's pool (`max_in_flight`);
/// derive steps take one in the `local` pool (cores). The toolkit runs its C calls off the
/// cooperative pool, so slow image work never starves network tasks.
public final class BuildEngine: Sendable {
    enum Control: Sendable { case stop, cancel }

    let plan: Plan
    /// The plan's steps by id and alias (`Plan.index()`), worked out once.
    let index: [StepID: Int]
    let providers: [String: any ImageProvider]
    let toolkit: any ImageToolkit
    let cache: ResultCache?
    let options: BuildOptions
    let logger: Logger
    let progress: any BuildProgressSink
    let writer: OutputWriter
    /// Steps that need not run, steps to run past the cache (`--force`), damaged outputs.
    let upToDate: UpToDateCheck
    let control: AsyncStream<Control>
    let controlInput: AsyncStream<Control>.Continuation
    /// How answers are stored (`cacheLayout()`), decided at the first store.
    private let layout = Mutex<ResultCache.Layout?>(nil)

    /// - Parameters:
    ///   - providers: by name, as steps' `provider` spells it.
    ///   - cache: nil builds without a cache (every call is made).
    ///   - upToDate: which steps need not run (see `UpToDateCheck`); nil runs every step.
    public init(plan: Plan, providers: [String: any ImageProvider], toolkit: any ImageToolkit,
                cache: ResultCache?, options: BuildOptions, logger: Logger,
                progress: any BuildProgressSink = SilentProgress(), upToDate: UpToDateCheck? = nil) {
        self.plan = plan
        self.index = plan.index()
        self.upToDate = upToDate ?? UpToDateCheck(plan: plan)
        self.providers = providers
        self.toolkit = toolkit
        self.cache = cache
        self.options = options
        self.logger = logger
        self.progress = progress
        self.writer = OutputWriter(root: options.outputDirectory, toolkit: toolkit)
        (control, controlInput) = AsyncStream.makeStream(of: Control.self)
    }

    /// Blobs when an output can be placed from one without writing its bytes again (a clone
    /// between the cache and outputs/, or `--link-outputs`); otherwise inline entries, where a blob
    /// would only add a file per image. Blocking (the first call tries a clone); call it off the
    /// cooperative pool.
    func cacheLayout() -> ResultCache.Layout {
        if options.linkOutputs { return .blobs }
        guard let cache else { return .inline }
        return layout.withLock { chosen in
            if let chosen { return chosen }
            let made: ResultCache.Layout = AtomicFile.clones(from: cache.tmpPath, to: options.outputDirectory.path) ? .blobs : .inline
            chosen = made
            return made
        }
    }

    /// Graceful stop (Ctrl-C once): start nothing new; steps in flight finish and are kept.
    /// Safe to call from any thread, before or during `run`.
    public func requestStop() { controlInput.yield(.stop) }

    /// Hard stop (Ctrl-C twice): start nothing new and cancel steps in flight. A provider answer
    /// that already arrived is still stored in the cache.
    public func cancel() { controlInput.yield(.cancel) }

    /// The scheduler's view of `steps` (the plan's steps that run): canonical dependency ids,
    /// pools and limits. Dependencies on steps that do not run are met already.
    /// `batches` (`candidateBatches`): a candidate whose image another's request makes starts after
    /// it, and that request is reserved the estimate of all its images against the budget.
    func makeScheduler(_ steps: [PlannedStep], batches: [StepID: [PlannedStep]] = [:]) -> BuildScheduler {
        var leaders = [StepID: StepID]()
        for (leader, siblings) in batches {
            for sibling in siblings { leaders[sibling.id] = leader }
        }
        var limits = [BuildPool.network: options.jobs, BuildPool.local: options.localJobs]
        for (name, settings) in plan.providers {
            if let max = settings.maxInFlight { limits[BuildPool.provider(name)] = max }
        }
        // One pool list per provider, not a new string per step.
        var providerPools = [String: [String]]()
        let localPools = [BuildPool.local]
        let steps = steps.map { step in
            let pools: [String]
            if step.kind.usesProvider {
                let name = step.provider ?? ""
                if providerPools[name] == nil { providerPools[name] = [BuildPool.network, BuildPool.provider(name)] }
                pools = providerPools[name] ?? []
            } else {
                pools = localPools
            }
            var dependencies = step.dependencies.map { index[$0].map { plan.steps[$0].id } ?? $0 }
            var cost = step.kind.usesProvider ? step.estimate?.usd ?? 0 : 0
            if let leader = leaders[step.id] {
                dependencies.append(leader)
                cost = 0
            } else if let siblings = batches[step.id] {
                cost += siblings.compactMap(\.estimate?.usd).reduce(0, +)
            }
            return BuildScheduler.Step(id: step.id, dependencies: dependencies, pools: pools, costUSD: cost)
        }
        return BuildScheduler(steps: steps, limits: limits, keepGoing: options.keepGoing, budgetUSD: options.maxCostUSD)
    }
}
