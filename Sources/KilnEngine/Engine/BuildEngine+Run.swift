import Foundation
import KilnCore
import KilnCache
import KilnLock

extension BuildEngine {
    private enum Message: Sendable {
        case produced(PlannedStep, Produced, verified: [ImageInfo], start: ContinuousClock.Instant)
        case step(StepRun)
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
        let clock = ContinuousClock()
        let startedAt = clock.now
        var check = upToDate
        if !plan.steps.isEmpty, check.upToDate.count == plan.steps.count,
           FileManager.default.fileExists(atPath: options.resolvedManifestPath.path) {
            progress.handle(.buildStarted(total: plan.steps.count, upToDate: plan.steps.count, estimatedCostUSD: 0))
            return unchangedReport(elapsedMS: Self.milliseconds(since: startedAt))
        }
        func canonical(_ id: StepID) -> StepID { index[id].map { plan.steps[$0].id } ?? id }
        let earlier = earlierEntries(&check)
        let toRun = check.stepsToRun(plan)
        var scheduler = makeScheduler(toRun)
        var images = [StepID: [Data]]()
        var runs = [StepID: StepRun]()
        runs.reserveCapacity(toRun.count)  // growing it rehashed every StepID so far, several times
        var consumersLeft = [StepID: Int]()
        for step in toRun {
            for dep in Set(step.dependencies.map(canonical)) { consumersLeft[dep, default: 0] += 1 }
        }
        let estimate = toRun.compactMap(\.estimate).reduce(CostEstimate.zero, +).usd
        progress.handle(.buildStarted(total: plan.steps.count, upToDate: plan.steps.count - toRun.count,
                                      estimatedCostUSD: estimate))
        logger.info("build started", metadata: ["steps": "\(toRun.count)", "jobs": "\(options.jobs)"])

        var finalSummary: BuildScheduler.Summary?
        await withTaskGroup(of: Message.self) { group in
            let control = self.control
            group.addTask { await Self.nextControl(control) }
            if let cache, toRun.count >= Self.stepsWorthPreparingTheCache {
                // While the first calls are in flight, not when their answers arrive together.
                group.addTask {
                    _ = try? await BlockingIO.run { cache.prepareFolders() }
                    return .cacheReady
                }
            }
            var action = scheduler.begin()
            while true {
                if case let .finish(summary) = action {
                    finalSummary = summary
                    break
                }
                if case let .start(ids) = action {
                    for id in ids {
                        guard let step = index[id].map({ plan.steps[$0] }) else { continue }
                        var upstream = [StepID: Data]()
                        var earlierOutputs = [StepID: URL]()
                        for input in step.inputs + (step.mask.map { [$0] } ?? []) {
                            guard let ref = input.stepID else { continue }
                            if let data = images[canonical(ref)]?.first {
                                upstream[ref] = data
                            } else if check.upToDate.contains(canonical(ref)), let i = index[ref],
                                      let first = plan.steps[i].outputs.first(where: { $0.index == 0 }) {
                                earlierOutputs[ref] = options.outputDirectory.appendingPathComponent(first.path)
                            }
                        }
                        for dep in Set(step.dependencies.map(canonical)) {
                            consumersLeft[dep, default: 1] -= 1
                            if consumersLeft[dep] == 0 { images[dep] = nil }
                        }
                        progress.handle(.started(step))
                        logger.debug("step started", metadata: ["step": "\(id)"])
                        let forced = check.forced.contains(step.id)
                        group.addTask {
                            let start = ContinuousClock.now
                            var upstream = upstream
                            do {
                                for (ref, url) in earlierOutputs {
                                    upstream[ref] = try await BlockingIO.run {
                                        try self.readEarlierOutput(of: ref, at: url, for: step.id)
                                    }
                                }
                            } catch {
                                return .step(self.failure(error, step: step, start: start))
                            }
                            switch await self.producePhase(step, upstream: upstream, forced: forced, start: start) {
                            case let .produced(result, infos): return .produced(step, result, verified: infos, start: start)
                            case let .done(run): return .step(run)
                            }
                        }
                    }
                }
                for (id, pool) in scheduler.takeNewlyWaiting() {
                    progress.handle(.waiting(id, pool: pool))
                }
                guard let message = await group.next() else {
                    finalSummary = nil
                    break
                }
                switch message {
                case let .produced(step, result, infos, start):
                    // The answer is in hand and checked: free the slots and let its readers start;
                    // storing and writing it overlap their work.
                    if consumersLeft[step.id, default: 0] > 0 { images[step.id] = result.images }
                    group.addTask { .step(await self.persistPhase(step, result, verified: infos, start: start)) }
                    _ = scheduler.handle(.spent(step.id, usd: result.fromCache ? 0 : cost(of: step, usage: result.usage).usd))
                    action = scheduler.handle(.resultReady(step.id))
                case let .step(run):
                    action = scheduler.handle(report(run, keep: &images, consumers: consumersLeft))
                    runs[run.id] = run.withoutImages()
                case .control(.stop):
                    logger.notice("stop requested: no new steps will start")
                    group.addTask { await Self.nextControl(control) }
                    action = scheduler.handle(.stopRequested)
                case .control(.cancel):
                    logger.notice("cancel requested: cancelling steps in flight")
                    action = scheduler.handle(.cancelRequested)
                    group.cancelAll()
                case .controlEnded:
                    action = scheduler.poll()
                case .cacheReady:
                    action = scheduler.poll()
                }
            }
            group.cancelAll()
        }
        let elapsed = clock.now - startedAt
        let elapsedMS = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        return finish(finalSummary ?? scheduler.snapshot(), runs: runs, check: check, earlier: earlier,
                      elapsedMS: elapsedMS)
    }

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

    private static func nextControl(_ stream: AsyncStream<Control>) async -> Message {
        for await event in stream { return .control(event) }
        return .controlEnded
    }
}
