import Foundation
import KilnCore
import KilnEngine
import Testing

@Suite struct ProgressRenderingTests {
    let step = StepID(pipeline: "p", asset: "a", variant: "v", step: "s")

    @Test func jsonLinesRoundTripOneObjectPerLine() throws {
        let event = BuildEvent.done(step, cached: false, outputs: ["a.png"], durationMS: 12, costUSD: 0.5)
        let line = try JSONLinesRenderer().line(for: event)
        #expect(line == #"{"cost_usd":0.5,"duration_ms":12,"event":"finished","outputs":["a.png"],"step":"p/a@v/s"}"# + "\n")
        #expect(try JSONDecoder().decode(BuildEvent.self, from: Data(line.utf8)) == event)
    }

    @Test func statusLineCountsAndEstimates() {
        var r = StatusLineRenderer()
        r.apply(.buildStarted(total: 4, estimatedCostUSD: 1))
        for _ in 0..<3 { r.apply(BuildEvent(.started, step: step)) }
        r.apply(.done(step, cached: false, outputs: [], durationMS: 1, costUSD: 0.25))
        r.apply(.done(step, cached: true, outputs: [], durationMS: 1, costUSD: 0))
        #expect(r.line(elapsedSeconds: 10) == "[2/4] running 1 · cached 1 · $0.25 · 0:10 · ETA 0:10")
        r.apply(.failed(step, error: "boom", durationMS: 1))
        #expect(r.line(elapsedSeconds: 75) == "[3/4] running 0 · cached 1 · failed 1 · $0.25 · 1:15 · ETA 0:25")
    }

    @Test func plainLinesForFinishedStepsOnly() {
        let r = PlainLineRenderer()
        #expect(r.line(for: BuildEvent(.started, step: step)) == nil)
        #expect(r.line(for: .done(step, cached: true, outputs: ["x.png"], durationMS: 3, costUSD: 0)) == "cached  p/a@v/s → x.png")
        #expect(r.line(for: .failed(step, error: "no", durationMS: 7)) == "FAILED  p/a@v/s (7 ms): no")
        #expect(r.line(for: .skipped(step, because: nil, reason: "not run")) == "skipped p/a@v/s: not run")
        #expect(r.line(for: .warning(step, "x.png was deleted; restored it from the cache"))
                == "warning: p/a@v/s: x.png was deleted; restored it from the cache")
        #expect(r.line(for: .buildStarted(total: 5, upToDate: 3, estimatedCostUSD: 0.5))
                == "building 2 of 5 step(s) (3 up to date), estimated $0.50")
        #expect(r.line(for: .buildStarted(total: 5, upToDate: 5, estimatedCostUSD: 0)) == "all 5 step(s) up to date: nothing to build, no provider calls")
    }

    @Test func summaryTableNamesFailedStepsAndExitCodeFollows() {
        var s = BuildSummary(totalSteps: 3, built: 1, cached: 1, failed: 1, skipped: 0, files: 2, bytes: 100,
                             costUSD: 0.042, usage: nil, elapsedMS: 61_000, stopReason: nil,
                             failures: [.init(step: step, error: "p/a@v/s: rejected")], notRun: [],
                             manifestPath: "outputs/manifest.json", manifestError: nil)
        let table = SummaryTableRenderer().render(s)
        #expect(table.contains("failed steps:\n  p/a@v/s: p/a@v/s: rejected"))
        #expect(table.contains("spent       $0.04"))
        #expect(table.contains("up to date  0"))
        #expect(table.hasSuffix("build FAILED (exit code 1)\n"))
        #expect(s.exitCode == 1)
        s.failed = 0
        s.failures = []
        s.built = 2
        #expect(s.exitCode == 0)
        s.manifestError = "disk full"
        #expect(s.exitCode == 1)
    }
}
