import KilnCore
@testable import KilnEngine
import KilnTestSupport
import Testing

private func id(_ name: String) -> StepID { StepID(pipeline: "p", asset: "a", variant: nil, step: name) }
private func ids(_ names: String...) -> [StepID] { names.map(id) }

private func paid(_ name: String, _ usd: Double, after deps: [String] = []) -> BuildScheduler.Step {
    BuildScheduler.Step(id: id(name), dependencies: deps.map(id), pools: ["net"], costUSD: usd)
}

/// `--max-cost` as a scheduler rule: a step whose estimate would take the spend past the budget
/// is not started; the spend is what finished steps cost plus the estimates of those in flight.
@Suite struct BudgetRuleTests {
    func finish(_ action: BuildScheduler.Action) -> BuildScheduler.Summary? {
        if case let .finish(summary) = action { return summary }
        Issue.record("expected finish, got \(action)")
        return nil
    }

    @Test func aStepThatWouldExceedTheBudgetIsNotStartedAndNothingAfterIt() throws {
        var s = BuildScheduler(steps: [paid("a", 0.4), paid("b", 0.4), paid("c", 0.4), paid("d", 0.1)],
                               limits: [:], budgetUSD: 1.0)
        #expect(s.begin() == .start(ids("a", "b")), "c's estimate would take the reserved 0.8 past 1.0")
        #expect(s.committedUSD == 0.8)
        #expect(s.handle(.spent(id("a"), usd: 0.4)) == .wait)
        #expect(s.handle(.stepSucceeded(id("a"))) == .wait)
        let summary = try #require(finish(s.handle(.stepSucceeded(id("b")))))
        #expect(summary.status(of: id("c")) == .notRun && summary.status(of: id("d")) == .notRun)
        #expect(summary.stopReason == .budget(id("c"), spentUSD: 0.8, limitUSD: 1.0))
    }

    @Test func anAnswerCheaperThanItsEstimateLeavesRoomForTheNextStep() {
        var s = BuildScheduler(steps: [paid("a", 0.6), paid("b", 0.6)], limits: ["net": 1], budgetUSD: 1.0)
        #expect(s.begin() == .start(ids("a")))
        // A cache hit costs nothing: b now fits.
        #expect(s.handle(.spent(id("a"), usd: 0)) == .wait)
        #expect(s.handle(.stepSucceeded(id("a"))) == .start(ids("b")))
    }

    @Test func anAnswerDearerThanItsEstimateStopsTheRest() {
        var s = BuildScheduler(steps: [paid("a", 0.3), paid("b", 0.3), paid("c", 0.3)], limits: ["net": 1],
                               budgetUSD: 1.0)
        #expect(s.begin() == .start(ids("a")))
        _ = s.handle(.spent(id("a"), usd: 0.8))
        #expect(s.handle(.stepSucceeded(id("a"))) != .start(ids("b")))
        #expect(s.stopReason == .budget(id("b"), spentUSD: 0.8, limitUSD: 1.0))
    }

    @Test func aFailedStepGivesItsEstimateBack() {
        var s = BuildScheduler(steps: [paid("a", 0.6), paid("b", 0.6)], limits: ["net": 1], keepGoing: true,
                               budgetUSD: 1.0)
        #expect(s.begin() == .start(ids("a")))
        #expect(s.handle(.stepFailed(id("a"), stopsRun: false)) == .start(ids("b")))
        #expect(s.committedUSD == 0.6)
    }

    @Test func freeStepsAndBuildsWithoutABudgetAreNeverHeldBack() {
        var free = BuildScheduler(steps: [paid("a", 1.0), paid("thumb", 0, after: ["a"])], limits: [:], budgetUSD: 1.0)
        #expect(free.begin() == .start(ids("a")))
        #expect(free.handle(.stepSucceeded(id("a"))) == .start(ids("thumb")))

        var unlimited = BuildScheduler(steps: [paid("a", 50), paid("b", 50)], limits: [:])
        #expect(unlimited.begin() == .start(ids("a", "b")))
    }
}

/// The rule through the engine: answers dearer than their estimates stop the build before the
/// step that would pass the budget, and the summary says why.
@Suite struct BudgetBuildTests {
    @Test func aBuildWhoseAnswersCostMoreThanEstimatedStopsAtTheBudget() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        for name in ["s1", "s2", "s3", "s4"] {
            provider.scripts[name] = .init(usage: Usage(inputTokens: 20, outputTokens: 10_000))
        }
        let steps = ["s1", "s2", "s3", "s4"].map { TestSteps.generate($0) }
        let report = await f.engine(steps, provider: provider, jobs: 1, maxCostUSD: 0.5).run()

        #expect(report.outcome.statusList == [.succeeded, .succeeded, .notRun, .notRun])
        guard case let .budget(id, spent, limit)? = report.outcome.stopReason else {
            Issue.record("stopped for \(String(describing: report.outcome.stopReason))")
            return
        }
        #expect(id == TestSteps.id("s3") && limit == 0.5 && spent > 0.5)
        #expect(report.summary.stopReason?.contains("past --max-cost $0.5000") == true)
        #expect(await f.recorder.calls["provider"] == 2, "a step past the budget was paid for")
    }
}
