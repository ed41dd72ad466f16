import Foundation
import KilnCore
import KilnCache
import KilnLock

/// What travels through one run: the scheduler, images waiting for their readers, every finished
/// step's run, and how many readers each step still has to start.
struct RunState {
    var scheduler: BuildScheduler
    var check: UpToDateCheck
    var images = [StepID: [Data]]()
    var runs = [StepID: StepRun]()
    var consumersLeft = [StepID: Int]()
    var finalSummary: BuildScheduler.Summary?
    /// Results being stored and written now (`persistPhase`, at most `BuildEngine.persistWindow`),
    /// and those waiting for a place, still holding their slots.
    var persisting = 0
    var awaitingPersist = [Produced.Checked]()
    /// Candidates asked for in one request, by the id of the candidate that makes it
    /// (`candidateBatches`), and the images it made for the others until they start.
    var batches = [StepID: [PlannedStep]]()
    var handoffs = [StepID: Produced]()
    /// The estimates of batched candidates whose image the leader's answer did not bring: kept
    /// reserved under the leader until the candidate settles its own cost.
    var heldForSiblings = [StepID: Double]()
}

extension BuildEngine {
    fileprivate enum Message: Sendable {
        case produced(Produced.Checked)
        case step(StepRun)
        /// A step's run once its result is stored and written.
        case persisted(StepRun)
        case control(Control)
        case controlEnded
        case cacheReady
    }

    /// Runs the whole plan and writes the output manifest. Never throws: step failures, a stop
    /// and a manifest that could not be written are all in the report (see `BuildSummary.exitCode`).
    /// Call it once per engine.
    ///
    /// Steps the `UpToDateCheck` found current do not run; when that is every step and the
    /// output manifest exists, nothing at all is written.
    ///
    /// Memory: a step's images stay in memory only until every step that reads them has started.
    public func run() async -> BuildReport {
        let startedAt = ContinuousClock.now
        var check = upToDate
        if Self.changesNothing(plan, upToDate: check, options: options) {
            progress.handle(.buildStarted(total: plan.steps.count, upToDate: plan.steps.count, estimatedCostUSD: 0))
            return unchangedReport(elapsedMS: Self.milliseconds(since: startedAt))
        }
        let earlier = earlierEntries(&check)
        var state = prepare(check)
        await withTaskGroup(of: Message.self) { group in
            let control = self.control
            group.addTask { await Self.nextControl(control) }
            if let cache, state.scheduler.stepCount >= Self.stepsWorthPreparingTheCache {
                // While the first calls are in flight, not when their answers arrive together.
                group.addTask {
                    _ = try? await BlockingIO.run { cache.prepareFolders() }
                    return .cacheReady
                }
            }
            var action = state.scheduler.begin()
            while true {
                if case let .finish(summary) = action {
                    state.finalSummary = summary
                    break
                }
                if case let .start(ids) = action {
                    for id in ids { start(id, state: &state, group: &group) }
                }
                for (id, pool) in state.scheduler.takeNewlyWaiting() {
                    progress.handle(.waiting(id, pool: pool))
                }
                guard let message = await group.next() else { break }
                action = handle(message, state: &state, group: &group)
            }
            group.cancelAll()
        }
        return finish(state.finalSummary ?? state.scheduler.snapshot(), runs: state.runs, check: state.check,
                      earlier: earlier, elapsedMS: Self.milliseconds(since: startedAt))
    }

    /// The run's starting state for the steps `check` says must run; announces the build.
    private func prepare(_ check: UpToDateCheck) -> RunState {
        let toRun = check.stepsToRun(plan)
        let batches = candidateBatches(toRun, forced: check.forced)
        var state = RunState(scheduler: makeScheduler(toRun, batches: batches), check: check)
        state.batches = batches
        state.runs.reserveCapacity(toRun.count)  // growing it rehashed every StepID so far, several times
        for step in toRun {
            for dep in Set(step.dependencies.map(canonical)) { state.consumersLeft[dep, default: 0] += 1 }
        }
        let estimate = toRun.compactMap(\.estimate).reduce(CostEstimate.zero, +).usd
        progress.handle(.buildStarted(total: plan.steps.count, upToDate: plan.steps.count - toRun.count,
                                      estimatedCostUSD: estimate))
        logger.info("build started", metadata: ["steps": "\(toRun.count)", "jobs": "\(options.jobs)"])
        return state
    }

    /// The id a reference names, as the plan spells it (an alias resolves to its step).
    func canonical(_ id: StepID) -> StepID { index[id].map { plan.steps[$0].id } ?? id }

    /// Starts one step: hands it the images it reads (from memory, or from an up-to-date step's
    /// file) and lets go of images no other step still needs.
    private func start(_ id: StepID, state: inout RunState, group: inout TaskGroup<Message>) {
        guard let step = index[id].map({ plan.steps[$0] }) else { return }
        var upstream = [StepID: Data]()
        var earlierOutputs = [StepID: URL]()
        for input in step.inputs + (step.mask.map { [$0] } ?? []) {
            guard let ref = input.stepID else { continue }
            if let data = state.images[canonical(ref)]?.first {
                upstream[ref] = data
            } else if state.check.upToDate.contains(canonical(ref)), let i = index[ref],
                      let first = plan.steps[i].outputs.first(where: { $0.index == 0 }) {
                earlierOutputs[ref] = options.outputDirectory.appendingPathComponent(first.path)
            }
        }
        for dep in Set(step.dependencies.map(canonical)) {
            state.consumersLeft[dep, default: 1] -= 1
            if state.consumersLeft[dep] == 0 { state.images[dep] = nil }
        }
        progress.handle(.started(step))
        // A candidate its leader's answer brought no image for would pay on its own: not once the
        // spend is past --max-cost (the scheduler let it start with no estimate of its own).
        if state.heldForSiblings[id] != nil, let budget = options.maxCostUSD, state.scheduler.committedUSD > budget + 1e-9 {
            let spent = String(format: "$%.4f", state.scheduler.committedUSD), limit = String(format: "$%.4f", budget)
            group.addTask {
                .step(StepRun(id: id, outcome: .failed("not asked for alone: the spend (\(spent)) is past --max-cost \(limit)",
                                                        stopsRun: true), durationMS: 0))
            }
            return
        }
        logger.debug("step started", metadata: ["step": "\(id)"])
        let forced = state.check.forced.contains(step.id)
        let lead = state.batches[id].map { (siblings: $0, forced: state.check.forced) }
        let handoff = state.handoffs.removeValue(forKey: id)
        group.addTask {
            let start = ContinuousClock.now
            var upstream = upstream
            do {
                for (ref, url) in earlierOutputs {
                    upstream[ref] = try await BlockingIO.run { try self.readEarlierOutput(of: ref, at: url, for: step.id) }
                }
            } catch {
                return .step(self.failure(error, step: step, start: start))
            }
            switch await self.producePhase(step, upstream: upstream, forced: forced, lead: lead, handoff: handoff,
                                           start: start) {
            case let .produced(result, infos):
                return .produced(Produced.Checked(step: step, result: result, verified: infos, start: start))
            case let .done(run): return .step(run)
            }
        }
    }

    /// Carries out one message from a step or the controls; returns the scheduler's next action.
    private func handle(_ message: Message, state: inout RunState,
                        group: inout TaskGroup<Message>) -> BuildScheduler.Action {
        switch message {
        case var .produced(checked):
            let (step, result) = (checked.step, checked.result)
            if state.consumersLeft[step.id, default: 0] > 0 { state.images[step.id] = result.images }
            // A request for several candidates is spent with its leader's result, all of it.
            var usd = result.fromCache || result.prepaid ? 0 : cost(of: step, usage: result.usage).usd
            for (id, handoff) in result.handoffs {
                if let i = index[id] { usd += cost(of: plan.steps[i], usage: handoff.usage).usd }
                state.handoffs[id] = handoff
            }
            // A candidate of the batch left without an image (a short answer, a key another build
            // held) will settle on its own, unreserved in the scheduler: its estimate stays held.
            for sibling in state.batches[step.id] ?? [] where result.handoffs[sibling.id] == nil {
                let estimate = sibling.estimate?.usd ?? 0
                state.heldForSiblings[sibling.id] = estimate
                usd += estimate
            }
            usd -= state.heldForSiblings.removeValue(forKey: step.id) ?? 0
            checked.result.handoffs = [:]
            _ = state.scheduler.handle(.spent(step.id, usd: usd))
            guard state.persisting < persistWindow else {
                // Answers arrive faster than the disk takes them: this one keeps its slots (no new
                // call starts) until a place frees, so the images in memory stay bounded by
                // concurrency rather than growing with the build.
                state.awaitingPersist.append(checked)
                return state.scheduler.poll()
            }
            return persist(checked, state: &state, group: &group)
        case let .persisted(run):
            state.persisting -= 1
            if !state.awaitingPersist.isEmpty,
               case let .start(ids) = persist(state.awaitingPersist.removeFirst(), state: &state, group: &group) {
                for id in ids { start(id, state: &state, group: &group) }
            }
            return finished(run, state: &state)
        case let .step(run):
            return finished(run, state: &state)
        case .control(.stop):
            logger.notice("stop requested: no new steps will start")
            let control = self.control
            group.addTask { await Self.nextControl(control) }
            return state.scheduler.handle(.stopRequested)
        case .control(.cancel):
            logger.notice("cancel requested: cancelling steps in flight")
            let action = state.scheduler.handle(.cancelRequested)
            group.cancelAll()
            return action
        case .controlEnded, .cacheReady:
            return state.scheduler.poll()
        }
    }

    private func finished(_ run: StepRun, state: inout RunState) -> BuildScheduler.Action {
        if let usd = run.spentUSD { _ = state.scheduler.handle(.spent(run.id, usd: usd)) }
        let event = report(run, keep: &state.images, consumers: state.consumersLeft)
        state.runs[run.id] = run.withoutImages()
        return state.scheduler.handle(event)
    }

    /// The answer is in hand and checked: free its slots and let its readers start; storing and
    /// writing it overlap their work.
    private func persist(_ checked: Produced.Checked, state: inout RunState,
                         group: inout TaskGroup<Message>) -> BuildScheduler.Action {
        state.persisting += 1
        group.addTask { .persisted(await self.persistPhase(checked)) }
        return state.scheduler.handle(.resultReady(checked.step.id))
    }

    /// Results stored and written at once, their slots released: a quarter of the calls in flight
    /// (at least the local jobs, two per core, 8). A window of 8 made 300 chains wait on the disk
    /// (1.13 → 1.22 × ideal in process); one as wide as `--jobs` let 64 paid answers in flight hold
    /// 360 MiB instead of 275, growing with N where the disk is slow. Past it, a result keeps its
    /// slots, so memory stays bounded by concurrency.
    var persistWindow: Int { max(options.jobs / 4, options.localJobs, 2 * ProcessInfo.processInfo.activeProcessorCount, 8) }

    /// From this many steps to run, a build makes the cache's fan-out folders up front
    /// (`ResultCache.prepareFolders`): their results would land in many of the 256 folders anyway.
    /// A smaller build makes only the folders it uses, as it stores.
    static var stepsWorthPreparingTheCache: Int { 128 }

    /// Emits the step's progress event and turns its run into a scheduler event.
    private func report(_ run: StepRun, keep images: inout [StepID: [Data]],
                        consumers: [StepID: Int]) -> BuildScheduler.Event {
        switch run.outcome {
        case let .succeeded(success):
            if consumers[run.id, default: 0] > 0 { images[run.id] = success.images }
            for damage in upToDate.damaged[run.id] ?? [] {
                progress.handle(.warning(run.id, success.fromCache
                    ? "\(damage); restored it from the cache"
                    : "\(damage); the cache did not have it, so it was built again"))
            }
            progress.handle(.done(run.id, cached: success.fromCache, outputs: success.files.map(\.path),
                                  durationMS: run.durationMS, costUSD: success.fromCache ? 0 : success.cost.usd))
            logger.debug("step finished", metadata: ["step": "\(run.id)", "cached": "\(success.fromCache)"])
            return .stepSucceeded(run.id)
        case let .failed(message, stopsRun):
            progress.handle(.failed(run.id, error: message, durationMS: run.durationMS))
            logger.debug("step failed", metadata: ["step": "\(run.id)", "error": "\(message)"])
            return .stepFailed(run.id, stopsRun: stopsRun)
        case .cancelled:
            progress.handle(.failed(run.id, error: "cancelled", durationMS: run.durationMS))
            return .stepCancelled(run.id)
        }
    }

    fileprivate static func nextControl(_ stream: AsyncStream<Control>) async -> Message {
        for await event in stream { return .control(event) }
        return .controlEnded
    }
}
