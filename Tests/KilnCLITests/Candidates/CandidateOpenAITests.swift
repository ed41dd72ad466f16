import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import Testing

/// What candidates, picks and re-rolls cost, counted as requests the fake OpenAI server receives:
/// the candidates a build must pay for go in one request with `n`.
@Suite struct CandidateOpenAITests {
    static let key = "sk-test-kiln-candidates-0123456789"

    @Test func eachCandidateIsPaidForOnceAndAPickIsFree() async throws {
        let project = try CandidateProject(manifest: CandidateProject.manifest(candidates: 2, provider: "openai"))
        defer { project.remove() }
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: Self.key))
        try await server.makeApplication().test(.live) { client in
            let environment = ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
            /// Builds; `n`: the `n` of each request, sorted (1 for the badge).
            func build(_ n: [Int], _ why: Comment, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
                await server.state.resetRecording()
                let result = try await project.kiln(["build"], environment: environment)
                #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
                let sent = await server.state.requests.map { Int($0.field("n") ?? "") ?? -1 }.sorted()
                #expect(sent == n, why, sourceLocation: sourceLocation)
            }
            try await build([1, 2], "the icon's 2 candidates in one request, and the badge")
            try project.write(CandidateProject.manifest(candidates: 4, provider: "openai"))
            try await build([2], "going from 2 to 4 candidates pays for the 2 new ones, in one request")
            let candidates = try (1...4).map { try project.read("outputs/icons/app.candidates/\($0).png") }
            // The images of one answer differ (the fake, like the service; it repeats itself across
            // answers, which the service does not).
            #expect(candidates[0] != candidates[1] && candidates[2] != candidates[3], "two candidates got the same image")
            #expect(try project.read("outputs/icons/app.png") == candidates[0])
            // Each candidate's share of its request's cost, in the output manifest.
            let manifest = try JSONSerialization.jsonObject(with: project.read("outputs/manifest.json")) as? [String: Any]
            let files = manifest?["files"] as? [[String: Any]] ?? []
            func cost(_ path: String) -> Double? {
                (files.first { $0["path"] as? String == path }?["cost"] as? [String: Any])?["usd"] as? Double
            }
            let shares = (3...4).compactMap { cost("icons/app.candidates/\($0).png") }
            #expect(shares.count == 2 && shares.allSatisfy { $0 > 0 }, "\(files.compactMap { $0["path"] })")

            #expect(try await project.kiln(["pick", "icons/app", "3"]).status == 0)
            try await build([], "the picked candidate was paid for already")
            // CI: no key, no call, nothing stale.
            let locked = try await project.kiln(["build", "--locked"])
            #expect(locked.status == 0 && locked.stderr.contains("up to date"), "\(locked.stderr)")

            #expect(try await project.kiln(["reroll", "icons/app", "--keep", "3"]).status == 0)
            try await build([3], "a re-roll keeping one pays for the other three, in one request")
            #expect(try await project.kiln(["reroll", "icons/app"]).status == 0)
            try await build([4], "a re-roll of all four pays for four, in one request")
            #expect(try await project.kiln(["build", "--locked"]).status == 0)
        }
    }
}
