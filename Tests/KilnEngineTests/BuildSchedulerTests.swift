import KilnCore
import KilnEngine
import Testing

private func id(_ name: String) -> StepID { StepID(pipeline: "p", asset: "a", variant: nil, step: name) }
private func ids(_ names: String...) -> [StepID] { names.map(id) }

private func step(_ name: String, after deps: [String] = [], pool: String = "x") -> BuildScheduler.Step {
    BuildScheduler.Step(id: id(name), dependencies: deps.map(id), pools: [pool])
}

@Suite struct BuildSchedulerTests {
    @Test func emptyPlanFinishesAtOnce() {
        var s = BuildScheduler(steps: [], limits: [:])
        guard case let .finish(summary) = s.begin() else { Issue.record("expected finish"); return }
        #expect(summary.ids.isEmpty)
        #expect(summary.stopReason == nil)
    }

    @Test func independentStepsStartTogetherInPlanOrder() {
        var s = BuildScheduler(steps: [step("c"), step("a"), step("b")], limits: [:])
        #expect(s.begin() == .start(ids("c", "a", "b")))
    }

    @Test func poolLimitHoldsAndFreedSlotsGoToTheEarliestReadyStep() {
        var s = BuildScheduler(steps: (1...5).map { step("s\($0)") }, limits: ["x": 2])
        #expect(s.begin() == .start(ids("s1", "s2")))
        #expect(s.waitingForSlot == ids("s3", "s4", "s5"))
        #expect(s.fullPool(for: id("s3")) == "x")
        #expect(s.handle(.stepSucceeded(id("s2"))) == .start(ids("s3")))
        #expect(s.handle(.stepSucceeded(id("s1"))) == .start(ids("s4")))
        #expect(s.handle(.stepSucceeded(id("s3"))) == .start(ids("s5")))
        #expect(s.handle(.stepSucceeded(id("s4"))) == .wait)
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("s5"))) else { Issue.record("no finish"); return }
        #expect(summary.allSucceeded)
    }

    @Test func aStepInTwoPoolsNeedsASlotInEach() {
        let steps = [
            BuildScheduler.Step(id: id("a1"), dependencies: [], pools: ["net", "A"]),
            BuildScheduler.Step(id: id("a2"), dependencies: [], pools: ["net", "A"]),
            BuildScheduler.Step(id: id("b1"), dependencies: [], pools: ["net", "B"]),
            BuildScheduler.Step(id: id("b2"), dependencies: [], pools: ["net", "B"]),
            BuildScheduler.Step(id: id("b3"), dependencies: [], pools: ["net", "B"]),
        ]
        var s = BuildScheduler(steps: steps, limits: ["net": 3, "A": 1])
        #expect(s.begin() == .start(ids("a1", "b1", "b2")))
        #expect(s.handle(.stepSucceeded(id("b1"))) == .start(ids("b3")))
        #expect(s.handle(.stepSucceeded(id("a1"))) == .start(ids("a2")))
    }

    @Test func aChainRunsOneAfterAnother() {
        var s = BuildScheduler(steps: [step("g"), step("e", after: ["g"]), step("d", after: ["e"])], limits: [:])
        #expect(s.begin() == .start(ids("g")))
        #expect(s.handle(.stepSucceeded(id("g"))) == .start(ids("e")))
        #expect(s.handle(.stepSucceeded(id("e"))) == .start(ids("d")))
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("d"))) else { Issue.record("no finish"); return }
        #expect(summary.allSucceeded)
    }

    @Test func aDiamondWaitsForBothBranches() {
        var s = BuildScheduler(steps: [step("r"), step("l", after: ["r"]), step("m", after: ["r"]),
                                       step("j", after: ["l", "m", "l"])], limits: [:])
        #expect(s.begin() == .start(ids("r")))
        #expect(s.handle(.stepSucceeded(id("r"))) == .start(ids("l", "m")))
        #expect(s.handle(.stepSucceeded(id("m"))) == .wait)
        #expect(s.handle(.stepSucceeded(id("l"))) == .start(ids("j")))
    }

    @Test func firstFailureStopsNewStartsButInFlightStepsFinish() {
        let steps = [step("a"), step("b"), step("c", after: ["a"]), step("d")]
        var s = BuildScheduler(steps: steps, limits: ["x": 2])
        #expect(s.begin() == .start(ids("a", "b")))
        #expect(s.handle(.stepFailed(id("a"), stopsRun: false)) == .wait)
        #expect(s.status(of: id("c")) == .skipped(because: id("a")))
        #expect(s.waitingForSlot.isEmpty)
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("b"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.failed, .succeeded, .skipped(because: id("a")), .notRun])
        #expect(summary.stopReason == .failure(id("a")))
    }

    @Test func keepGoingRunsTheIndependentRestAndSkipsDownstream() {
        let steps = [step("a"), step("b", after: ["a"]), step("c", after: ["b"]), step("d"), step("e", after: ["d"])]
        var s = BuildScheduler(steps: steps, limits: ["x": 1], keepGoing: true)
        #expect(s.begin() == .start(ids("a")))
        #expect(s.handle(.stepFailed(id("a"), stopsRun: false)) == .start(ids("d")))
        #expect(s.handle(.stepSucceeded(id("d"))) == .start(ids("e")))
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("e"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.failed, .skipped(because: id("a")), .skipped(because: id("a")), .succeeded, .succeeded])
        #expect(summary.stopReason == nil)
    }

    @Test func aSkippedStepNamesTheFirstFailedAncestor() {
        let steps = [step("a"), step("b"), step("j", after: ["a", "b"])]
        var s = BuildScheduler(steps: steps, limits: [:], keepGoing: true)
        _ = s.begin()
        _ = s.handle(.stepFailed(id("b"), stopsRun: false))
        _ = s.handle(.stepFailed(id("a"), stopsRun: false))
        #expect(s.status(of: id("j")) == .skipped(because: id("b")))
    }

    @Test func aRunStoppingFailureStopsEvenWithKeepGoing() {
        var s = BuildScheduler(steps: [step("a"), step("b"), step("c")], limits: ["x": 2], keepGoing: true)
        #expect(s.begin() == .start(ids("a", "b")))
        #expect(s.handle(.stepFailed(id("a"), stopsRun: true)) == .wait)
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("b"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.failed, .succeeded, .notRun])
        #expect(summary.stopReason == .fatalFailure(id("a")))
    }

    @Test func gracefulStopLetsInFlightStepsFinish() {
        var s = BuildScheduler(steps: [step("a"), step("b"), step("c", after: ["a"])], limits: ["x": 1])
        #expect(s.begin() == .start(ids("a")))
        #expect(s.handle(.stopRequested) == .wait)
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("a"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.succeeded, .notRun, .notRun])
        #expect(summary.stopReason == .stopRequested)
    }

    @Test func cancelMarksInFlightStepsCancelledAndTheirDependentsSkipped() {
        var s = BuildScheduler(steps: [step("a"), step("b"), step("c", after: ["a"])], limits: [:])
        #expect(s.begin() == .start(ids("a", "b")))
        #expect(s.handle(.stopRequested) == .wait)
        #expect(s.handle(.cancelRequested) == .wait)
        #expect(s.stopReason == .cancelled)
        #expect(s.handle(.stepCancelled(id("a"))) == .wait)
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("b"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.cancelled, .succeeded, .skipped(because: id("a"))])
    }

    @Test func eventsForStepsNotRunningAreIgnored() {
        var s = BuildScheduler(steps: [step("a"), step("b", after: ["a"])], limits: [:])
        #expect(s.begin() == .start(ids("a")))
        #expect(s.handle(.stepSucceeded(id("b"))) == .wait)
        #expect(s.handle(.stepFailed(id("zzz"), stopsRun: true)) == .wait)
        #expect(s.stopReason == nil)
        #expect(s.handle(.stepSucceeded(id("a"))) == .start(ids("b")))
        #expect(s.handle(.stepSucceeded(id("a"))) == .wait)
    }

    @Test func unknownDependenciesAreIgnoredAndCyclesEndAsNotRun() {
        let steps = [step("a", after: ["ghost"]), step("x", after: ["y"]), step("y", after: ["x"])]
        var s = BuildScheduler(steps: steps, limits: [:])
        #expect(s.begin() == .start(ids("a")))
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("a"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.succeeded, .notRun, .notRun])
    }

    @Test func aZeroLimitCountsAsOne() {
        var s = BuildScheduler(steps: [step("a"), step("b")], limits: ["x": 0])
        #expect(s.begin() == .start(ids("a")))
    }
}

@Suite struct BuildSchedulerSlotTests {
    @Test func releasedSlotsGoToOthersWhileDependentsStillWait() {
        let steps = [BuildScheduler.Step(id: id("a"), dependencies: [], pools: ["x"]),
                     BuildScheduler.Step(id: id("b"), dependencies: [], pools: ["x"]),
                     BuildScheduler.Step(id: id("c"), dependencies: [id("a")], pools: ["x"])]
        var s = BuildScheduler(steps: steps, limits: ["x": 1])
        #expect(s.begin() == .start(ids("a")))
        #expect(s.handle(.slotsReleased(id("a"))) == .start(ids("b")))
        #expect(s.handle(.slotsReleased(id("a"))) == .wait, "released twice")
        #expect(s.handle(.stepSucceeded(id("a"))) == .wait, "c must wait for b's slot")
        #expect(s.handle(.stepSucceeded(id("b"))) == .start(ids("c")))
    }

    @Test func aReadyResultStartsItsReadersBeforeItSucceeds() {
        var s = BuildScheduler(steps: [step("g"), step("e", after: ["g"]), step("d", after: ["e"])], limits: ["x": 1])
        #expect(s.begin() == .start(ids("g")))
        #expect(s.handle(.resultReady(id("g"))) == .start(ids("e")), "slot freed and dependency met")
        #expect(s.status(of: id("g")) == .running, "g is still being written")
        #expect(s.handle(.stepSucceeded(id("g"))) == .wait, "its dependents are not released twice")
        #expect(s.handle(.resultReady(id("e"))) == .start(ids("d")))
        #expect(s.handle(.stepSucceeded(id("e"))) == .wait)
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("d"))) else { Issue.record("no finish"); return }
        #expect(summary.allSucceeded)
    }

    @Test func aStepFailingAfterItsResultWasReadySkipsOnlyReadersNotYetStarted() {
        let steps = [step("g"), step("e1", after: ["g"]), step("e2", after: ["g"])]
        var s = BuildScheduler(steps: steps, limits: ["x": 1], keepGoing: true)
        #expect(s.begin() == .start(ids("g")))
        #expect(s.handle(.resultReady(id("g"))) == .start(ids("e1")), "one slot: e2 waits")
        #expect(s.handle(.stepFailed(id("g"), stopsRun: false)) == .wait, "writing g failed")
        #expect(s.status(of: id("e1")) == .running, "already reading g's verified result")
        #expect(s.status(of: id("e2")) == .skipped(because: id("g")))
        guard case let .finish(summary) = s.handle(.stepSucceeded(id("e1"))) else { Issue.record("no finish"); return }
        #expect(summary.statusList == [.failed, .succeeded, .skipped(because: id("g"))])
    }
}
