import Foundation
import KilnCore
import KilnEngine
import KilnTestSupport
import Testing

/// `candidates: N` asks for the candidates a build must pay for in one request with `n`, as far
/// as the provider allows, and still caches, reports and writes each candidate on its own.
@Suite struct CandidateRequestTests {
    func provider(_ f: Fixture, maxImages: Int = 10) -> ScriptedProvider {
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.maxImages = maxImages
        provider.scripts["main"] = .init(usage: Usage(inputTokens: 30, outputTokens: 400))
        return provider
    }

    @Test func theCandidatesOfAStepAreOneRequestWithN() async throws {
        let f = try Fixture()
        let steps = TestSteps.candidates("main", 4)
        let report = await f.engine(steps, provider: provider(f)).run()
        #expect(report.summary.exitCode == 0, "\(SummaryTableRenderer().render(report.summary))")
        let requests = await f.recorder.requests
        #expect(requests.count == 1)
        #expect(requests.first?.n == 4)
        #expect(requests.first?.candidates.map(\.step) == ["main~1", "main~2", "main~3", "main~4"])

        // Each candidate: its own file, its own image, its own cache entry, reported as made.
        #expect(report.summary.built == 4 && report.summary.cached == 0)
        let files = try steps.map { try Data(contentsOf: f.outputs.appendingPathComponent($0.outputs[0].path)) }
        #expect(Set(files.map(Digest.sha256)).count == 4, "the candidates got the same image")
        for step in steps {
            let hit = try #require(try f.cache.lookup(step.cacheKey), "no cache entry for \(step.id)")
            #expect(hit.record.requestID == "req-main")
            #expect(Digest.sha256(hit.images[0]) == Digest.sha256(try Data(contentsOf: f.outputs.appendingPathComponent(step.outputs[0].path))))
        }
        // The request's usage is split so the parts add up to what was reported once.
        let parts = try steps.map { try #require(try f.cache.lookup($0.cacheKey)?.record.usage?.usage) }
        #expect(parts.map(\.outputTokens).reduce(0, +) == 400)
        #expect(parts.map(\.inputTokens).reduce(0, +) == 30)
        #expect(parts.map(\.outputTokens) == [100, 100, 100, 100])
        #expect(report.summary.usage?.outputTokens == 400)

        // Nothing is asked for again.
        let again = await f.engine(steps, provider: provider(f)).run()
        #expect(again.summary.cached == 4)
        #expect(await f.recorder.requests.count == 1)
    }

    @Test func onlyTheCandidatesTheCacheLacksAreAskedFor() async throws {
        let f = try Fixture()
        let two = TestSteps.candidates("main", 2)
        #expect(await f.engine(two, provider: provider(f)).run().summary.exitCode == 0)
        let five = TestSteps.candidates("main", 5)
        let report = await f.engine(five, provider: provider(f)).run()
        #expect(report.summary.built == 3 && report.summary.cached == 2)
        let requests = await f.recorder.requests
        #expect(requests.map(\.n) == [2, 3])
        #expect(requests.last?.candidates.map(\.step) == ["main~3", "main~4", "main~5"])
        #expect(requests.last?.step.step == "main~3", "the first candidate that needs a call leads the request")
    }

    @Test func aProviderThatTakesOneImageARequestGetsOneRequestPerCandidate() async throws {
        let f = try Fixture()
        let report = await f.engine(TestSteps.candidates("main", 3), provider: provider(f, maxImages: 1)).run()
        #expect(report.summary.built == 3)
        let requests = await f.recorder.requests
        #expect(requests.map(\.n) == [1, 1, 1])
        #expect(Set(requests.flatMap(\.candidates).map(\.step)) == ["main~1", "main~2", "main~3"],
                "each request names its one candidate")
    }

    @Test func moreCandidatesThanTheModelsLimitAreSplitIntoRequestsOfAtMostTheLimit() async throws {
        let f = try Fixture()
        let report = await f.engine(TestSteps.candidates("main", 5), provider: provider(f, maxImages: 2)).run()
        #expect(report.summary.built == 5)
        #expect(await f.recorder.requests.map(\.n).sorted() == [1, 2, 2])
    }

    @Test func anAnswerWithFewerImagesLeavesTheRestToAskForThemselves() async throws {
        let f = try Fixture()
        var short = provider(f)
        short.deliverAtMost = 2
        let steps = TestSteps.candidates("main", 4)
        let report = await f.engine(steps, provider: short).run()
        #expect(report.summary.exitCode == 0, "\(SummaryTableRenderer().render(report.summary))")
        #expect(report.summary.built == 4)
        let requests = await f.recorder.requests
        #expect(requests.first?.n == 4)
        #expect(requests.dropFirst().map(\.n) == [1, 1], "the two candidates without an image asked alone")
        for step in steps { #expect(try f.cache.lookup(step.cacheKey) != nil, "\(step.id) has no cache entry") }
    }

    @Test func aRefusedRequestFailsItsLeaderAndTheOthersAreNotRunNorAskedForAgain() async throws {
        let f = try Fixture()
        var refusing = provider(f)
        refusing.scripts["main"] = .init(error: ProviderError(.moderationBlocked, "the prompt was refused"))
        let steps = TestSteps.candidates("main", 3)
        let report = await f.engine(steps, provider: refusing, keepGoing: true).run()
        #expect(report.summary.exitCode != 0)
        #expect(report.summary.failures.map(\.step) == [TestSteps.id("main")])
        #expect(Set(report.summary.notRun.map(\.step)) == [TestSteps.id("main~2"), TestSteps.id("main~3")])
        #expect(report.summary.notRun.allSatisfy { $0.because == TestSteps.id("main") })
        #expect(await f.recorder.requests.count == 1)
        for step in steps { #expect(try f.cache.lookup(step.cacheKey) == nil) }
    }

    @Test func theRequestIsHeldToTheBudgetAsAWhole() async throws {
        let f = try Fixture()
        // Each candidate's estimate is $0.01: three in one request would take $0.03 past $0.025.
        let report = await f.engine(TestSteps.candidates("main", 3), provider: provider(f), maxCostUSD: 0.025).run()
        #expect(report.stoppedByBudget)
        #expect(await f.recorder.requests.isEmpty, "a request past the budget was sent")

        let enough = await f.engine(TestSteps.candidates("main", 3), provider: provider(f), maxCostUSD: 0.5).run()
        #expect(enough.summary.exitCode == 0 && enough.summary.built == 3)
        #expect(await f.recorder.requests.map(\.n) == [3])
    }

    @Test func aRerolledCandidateIsAskedForWithTheOthersThatNeedACall() async throws {
        let f = try Fixture()
        #expect(await f.engine(TestSteps.candidates("main", 3), provider: provider(f)).run().summary.exitCode == 0)
        let rerolled = TestSteps.candidates("main", 3, reroll: [1: "r1", 3: "r1"])
        let report = await f.engine(rerolled, provider: provider(f)).run()
        #expect(report.summary.built == 2 && report.summary.cached == 1)
        let requests = await f.recorder.requests
        #expect(requests.map(\.n) == [3, 2])
        #expect(requests.last?.candidates.map(\.step) == ["main~1", "main~3"])
    }
}

/// The money rules of one request for several candidates, where an answer brings fewer images than
/// asked or the leader's image fails its check.
@Suite struct CandidateBudgetTests {
    @Test func aShortAnswerPastTheBudgetDoesNotLetTheOthersPayAlone() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.maxImages = 10
        provider.deliverAtMost = 1
        provider.scripts["main"] = .init(usage: Usage(inputTokens: 20, outputTokens: 50_000))   // far above its estimate
        provider.scripts["main~2"] = provider.scripts["main"]
        let report = await f.engine(TestSteps.candidates("main", 4), provider: provider, maxCostUSD: 0.04).run()
        #expect(await f.recorder.requests.map(\.n) == [4], "a candidate paid alone past the budget")
        #expect(report.summary.exitCode != 0)
    }

    @Test func aLeaderWhoseImageFailsItsCheckStillCountsWhatItPaid() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.maxImages = 10
        provider.scripts["main"] = .init(size: (4, 4), usage: Usage(inputTokens: 20, outputTokens: 50_000))
        var steps = TestSteps.candidates("main", 3)
        steps.append(TestSteps.generate("other"))
        steps[3].dependencies = []
        let report = await f.engine(steps, provider: provider, jobs: 1, keepGoing: true, maxCostUSD: 0.05).run()
        #expect(report.stoppedByBudget || report.summary.exitCode != 0)
        #expect(!(await f.recorder.requests.map(\.step.step)).contains("other"),
                "the spend of the failed leader was given back, and another step paid past the budget")
    }
}
