import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import Testing

/// What candidates, picks and re-rolls cost, counted as requests the fake OpenAI server receives.
@Suite struct CandidateOpenAITests {
    static let key = "sk-test-kiln-candidates-0123456789"

    @Test func eachCandidateIsPaidForOnceAndAPickIsFree() async throws {
        let project = try CandidateProject(manifest: CandidateProject.manifest(candidates: 2, provider: "openai"))
        defer { project.remove() }
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: Self.key))
        try await server.makeApplication().test(.live) { client in
            let environment = ["OPENAI_API_KEY": Self.key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
            func build(_ expected: Int, _ why: Comment, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
                await server.state.resetRecording()
                let result = try await project.kilnAsync(["build"], environment: environment)
                #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
                #expect(await server.state.requestCount == expected, why, sourceLocation: sourceLocation)
            }
            try await build(3, "2 candidates of the icon and the badge")
            try project.write(CandidateProject.manifest(candidates: 4, provider: "openai"))
            try await build(2, "going from 2 to 4 candidates pays for the 2 new ones")

            #expect(try await project.kilnAsync(["pick", "icons/app", "3"]).status == 0)
            try await build(0, "the picked candidate was paid for already")
            // CI: no key, no call, nothing stale.
            let locked = try await project.kilnAsync(["build", "--locked"])
            #expect(locked.status == 0 && locked.stderr.contains("up to date"), "\(locked.stderr)")

            #expect(try await project.kilnAsync(["reroll", "icons/app", "--keep", "3"]).status == 0)
            try await build(3, "a re-roll keeping one pays for the other three")
            #expect(try await project.kilnAsync(["reroll", "icons/app"]).status == 0)
            try await build(4, "a re-roll of all four pays for four")
            #expect(try await project.kilnAsync(["build", "--locked"]).status == 0)
        }
    }
}
