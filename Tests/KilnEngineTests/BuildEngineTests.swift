import Foundation
import KilnCore
import KilnEngine
import KilnTestSupport
import Testing

@Suite struct BuildEngineTests {
    @Test func aChainBuildsInDependencyOrderAndWritesEveryFile() async throws {
        let f = try Fixture()
        let log = EventLog()
        let steps = [
            TestSteps.generate("g", size: (16, 8)),
            TestSteps.edit("e", from: [.step(TestSteps.id("g"))], size: (16, 8)),
            TestSteps.derive("d", from: TestSteps.id("e"), width: 4),
        ]
        let report = await f.engine(steps, progress: log).run()
        #expect(report.summary.exitCode == 0, "\(SummaryTableRenderer().render(report.summary))")
        #expect(f.outputFiles() == ["edits/e.png", "g.png", "manifest.json", "thumbs/d.png"])
        // A reader starts once its input is produced and verified (its file may still be being
        // written), so compare the work itself: the provider's and the toolkit's marks, in order.
        let marks = await f.recorder.log
        let gEnd = try #require(marks.firstIndex(of: .end(TestSteps.id("g"))))
        let eStart = try #require(marks.firstIndex(of: .start(TestSteps.id("e"))))
        let eEnd = try #require(marks.firstIndex(of: .end(TestSteps.id("e"))))
        let deriveStart = try #require(marks.firstIndex { if case let .start(id) = $0 { id.pipeline == "toolkit" } else { false } })
        #expect(gEnd < eStart, "e started before g was produced")
        #expect(eEnd < deriveStart, "d started before e was produced")
        for (dep, step) in [("g", "e"), ("e", "d")] {
            #expect(try #require(log.position(.started, TestSteps.id(dep))) < (try #require(log.position(.started, TestSteps.id(step)))))
        }
        let thumb = try Data(contentsOf: f.outputs.appendingPathComponent("thumbs/d.png"))
        #expect(TestPNG.header(thumb)?.width == 4)
        #expect(TestPNG.header(thumb)?.height == 2)
    }

    @Test func concurrencyStaysWithinEveryPoolsLimit() async throws {
        let f = try Fixture()
        var a = ScriptedProvider(name: "scripted", recorder: f.recorder)
        a.defaultLatencyMS = 15
        var b = ScriptedProvider(name: "other", recorder: f.recorder)
        b.defaultLatencyMS = 15
        var steps = (0..<10).map { TestSteps.generate("a\($0)") }
        steps += (0..<10).map { TestSteps.generate("b\($0)", provider: "other") }
        steps += (0..<10).map { TestSteps.derive("d\($0)", from: TestSteps.id("a\($0)")) }
        let log = EventLog()
        let engine = f.engine(steps, provider: a, providers: [b], settings: ["scripted": .init(maxInFlight: 2)],
                              jobs: 4, localJobs: 1, progress: log)
        let report = await engine.run()
        #expect(report.summary.exitCode == 0)
        let max = await f.recorder.maxInFlight
        #expect(max["provider", default: 0] <= 4)
        #expect(max["provider:scripted", default: 0] <= 2)
        #expect(max["local", default: 0] <= 1)
        #expect(max["provider", default: 0] >= 2, "the pools never ran anything concurrently")
        let calls = await f.recorder.calls
        #expect(calls["provider"] == 20)
        let waits = log.events.filter { $0.event == .waitingForSlot }
        #expect(waits.first?.step == TestSteps.id("a2") && waits.first?.pool == "network")
        #expect(Set(waits.compactMap(\.pool)).isSubset(of: ["network", "provider:scripted", "local"]))
    }

    @Test func firstFailureStopsNewStepsAndKeepsInFlightResults() async throws {
        let f = try Fixture()
        let gate = Gate()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["bad"] = .init(error: ProviderError(.invalidRequest, "bad parameter 'size'"))
        provider.scripts["slow"] = .init(gate: gate)
        let log = EventLog { event in
            if event.event == .failed { Task { await gate.open() } }
        }
        let steps = [TestSteps.generate("slow"), TestSteps.generate("bad"), TestSteps.generate("later"),
                     TestSteps.derive("after-bad", from: TestSteps.id("bad"))]
        let report = await f.engine(steps, provider: provider, jobs: 2, progress: log).run()
        #expect(report.summary.exitCode == 1)
        #expect(f.outputFiles() == ["manifest.json", "slow.png"])
        #expect(report.outcome.statusList == [.succeeded, .failed, .notRun, .skipped(because: TestSteps.id("bad"))])
        #expect(report.summary.failures.map(\.step) == [TestSteps.id("bad")])
        #expect(report.summary.failures.first?.error.contains("bad parameter 'size'") == true)
        #expect(report.manifest?.steps.map(\.status) == [.skipped, .failed, .notRun])
    }

    @Test func keepGoingRunsTheIndependentRestAndSkipsDownstream() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["bad"] = .init(error: ProviderError(.server, "server error"))
        let steps = [TestSteps.generate("bad"), TestSteps.edit("fix", from: [.step(TestSteps.id("bad"))]),
                     TestSteps.derive("thumb", from: TestSteps.id("fix")), TestSteps.generate("ok"),
                     TestSteps.derive("ok-thumb", from: TestSteps.id("ok"))]
        let report = await f.engine(steps, provider: provider, jobs: 1, keepGoing: true).run()
        #expect(report.outcome.statusList == [.failed, .skipped(because: TestSteps.id("bad")),
                                              .skipped(because: TestSteps.id("bad")), .succeeded, .succeeded])
        #expect(f.outputFiles() == ["manifest.json", "ok.png", "thumbs/ok-thumb.png"])
        #expect(report.summary.exitCode == 1)
        #expect(report.summary.notRun.map(\.because) == [TestSteps.id("bad"), TestSteps.id("bad")])
    }

    @Test func aRunStoppingFailureStopsEverythingEvenWithKeepGoing() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["first"] = .init(error: ProviderError(.authentication, "invalid API key", stopsRun: true))
        let steps = [TestSteps.generate("first"), TestSteps.generate("second"), TestSteps.generate("third")]
        let report = await f.engine(steps, provider: provider, jobs: 1, keepGoing: true).run()
        #expect(report.outcome.statusList == [.failed, .notRun, .notRun])
        #expect(report.outcome.stopReason == .fatalFailure(TestSteps.id("first")))
        #expect(await f.recorder.calls["provider"] == 1)
    }

    @Test func gracefulStopFinishesInFlightStepsAndStartsNothingNew() async throws {
        let f = try Fixture()
        let gate = Gate()
        let box = EngineBox()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["one"] = .init(gate: gate)
        let log = EventLog { event in
            if event.event == .started && event.step == TestSteps.id("one") {
                box.engine?.requestStop()
                Task { try await Task.sleep(for: .milliseconds(20)); await gate.open() }
            }
        }
        let engine = f.engine([TestSteps.generate("one"), TestSteps.generate("two")], provider: provider, jobs: 1,
                              progress: log)
        box.engine = engine
        let report = await engine.run()
        #expect(report.outcome.statusList == [.succeeded, .notRun])
        #expect(report.outcome.stopReason == .stopRequested)
        #expect(f.outputFiles() == ["manifest.json", "one.png"])
    }

    @Test func cancelStopsInFlightStepsAndLeavesNoFiles() async throws {
        let f = try Fixture()
        let box = EngineBox()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["stuck"] = .init(gate: Gate())
        let log = EventLog { event in
            if event.event == .started && event.step == TestSteps.id("stuck") { box.engine?.cancel() }
        }
        let steps = [TestSteps.generate("stuck"), TestSteps.derive("thumb", from: TestSteps.id("stuck"))]
        let engine = f.engine(steps, provider: provider, progress: log)
        box.engine = engine
        let report = await engine.run()
        #expect(report.outcome.statusList == [.cancelled, .skipped(because: TestSteps.id("stuck"))])
        #expect(report.summary.exitCode == 1)
        #expect(f.outputFiles() == ["manifest.json"])
    }

    @Test func anUnknownProviderFailsTheStepWithItsName() async throws {
        let f = try Fixture()
        let report = await f.engine([TestSteps.generate("x", provider: "nope")]).run()
        let failure = try #require(report.summary.failures.first)
        #expect(failure.step.description == "p/a/x" && failure.error.contains("'nope'"))
    }
}
