import KilnCore
import KilnEngine
import Testing

@Suite struct StallWatchTests {
    func started(_ name: String, kind: StepKind = .generate) -> BuildEvent {
        var event = BuildEvent(.started, step: StepID(pipeline: "p", asset: name, variant: nil, step: "main"))
        event.stepKind = kind
        return event
    }

    @Test func saysNothingUntilARequestHasWaitedPastTheThreshold() {
        var watch = StallWatch(threshold: 30, interval: 30)
        watch.apply(started("a"), at: 0)
        #expect(watch.status(at: 29) == nil)
        #expect(watch.status(at: 31) == "1 provider request in flight; the oldest, p/a/main, for 0:31")
    }

    @Test func namesTheOldestAndCountsAllAndForgetsFinishedOnes() {
        var watch = StallWatch(threshold: 10, interval: 30)
        watch.apply(started("a"), at: 0)
        watch.apply(started("b"), at: 5)
        watch.apply(started("thumb", kind: .derive), at: 1)   // local work is not a provider request
        #expect(watch.status(at: 95) == "2 provider requests in flight; the oldest, p/a/main, for 1:35")
        watch.apply(BuildEvent(.finished, step: StepID(pipeline: "p", asset: "a", variant: nil, step: "main")), at: 96)
        #expect(watch.status(at: 96) == "1 provider request in flight; the oldest, p/b/main, for 1:31")
    }

    @Test func logsAtMostOnceAnInterval() {
        var watch = StallWatch(threshold: 30, interval: 30)
        watch.apply(started("a"), at: 0)
        #expect(watch.logLine(at: 31) != nil)
        #expect(watch.logLine(at: 45) == nil)
        #expect(watch.logLine(at: 61)?.hasPrefix("waiting: 1 provider request in flight") == true)
    }
}
