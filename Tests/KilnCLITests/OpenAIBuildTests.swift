import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import Testing

private let key = "sk-test-kiln-cli-0123456789SECRET"

/// Runs `body` with the fake OpenAI server on a loopback port and the environment that points
/// `kiln` at it.
private func withFakeOpenAI(apiKey: String = key,
                            _ body: @Sendable ([String: String], FakeOpenAIState) async throws -> Void) async throws {
    let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: key))
    try await server.makeApplication().test(.live) { client in
        let environment = ["OPENAI_API_KEY": apiKey, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
        try await body(environment, server.state)
    }
}

/// The files under `dir` whose bytes contain `secret`.
private func filesUnder(_ dir: URL, containing secret: String) -> [String] {
    let needle = Data(secret.utf8)
    var found = [String]()
    let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
    while let url = enumerator?.nextObject() as? URL {
        if let data = try? Data(contentsOf: url), data.range(of: needle) != nil { found.append(url.path) }
    }
    return found
}

@Test func buildingAgainstOpenAIRecordsRequestIDsAndCostAndNeverTheKey() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    try await withFakeOpenAI { environment, state in
        // Every example: generations, and the hero's edit with a mask; derives stay local.
        let result = try await KilnProcess.run(["build", "pipelines/"], in: project, environment: environment)
        #expect(result.status == 0, "\(result.stderr)\n\(result.stdout)")
        #expect(await state.requestCount == 18)   // 17 generations + 1 edit
        let edit = try #require(await state.requests.first { $0.path.hasSuffix("/images/edits") })
        #expect(edit.fields.contains { $0.name == "prompt" })
        #expect(edit.files.map(\.field).sorted() == ["image[]", "image[]", "mask"])
        #expect(edit.files.allSatisfy { $0.contentType == "image/png" })
        let data = try Data(contentsOf: project.appendingPathComponent("outputs/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let files = try #require(manifest["files"] as? [[String: Any]])
        let hero = try #require(files.first { $0["path"] as? String == "hero/hero.png" })
        #expect(hero["provider"] as? String == "openai")
        #expect((hero["request_id"] as? String)?.isEmpty == false)
        #expect(((hero["cost"] as? [String: Any])?["basis"]) as? String == "actual")
        #expect(files.count == 54)
        for file in files where file["provider"] as? String == "openai" {
            #expect(file["usage"] != nil, "\(file["path"] ?? "")")
            #expect((file["request_id"] as? String)?.isEmpty == false, "\(file["path"] ?? "")")
        }
        let totals = try #require(manifest["totals"] as? [String: Any])
        #expect((totals["cost_usd"] as? Double ?? 0) > 0)
        #expect(totals["usage"] != nil)
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key), "the API key leaked")
        #expect(filesUnder(project, containing: key).isEmpty, "the API key leaked into a file")
    }
}

@Test func maxCostBelowTheEstimateRefusesBeforeAnyRequest() async throws {
    try await withFakeOpenAI { environment, state in
        let result = try await KilnProcess.run(["build", "hero", "--max-cost", "0.10"], in: KilnProcess.repositoryRoot,
                                         environment: environment)
        #expect(result.status == 3)
        #expect(result.stderr.contains("above --max-cost $0.1000"))
        #expect(await state.requestCount == 0)
    }
}

@Test func aBadKeyStopsTheRunAndSaysWhatToDo() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    try await withFakeOpenAI(apiKey: "sk-test-wrong-key-000000000000000") { environment, state in
        let result = try await KilnProcess.run(["build", "stickers", "--jobs", "1"], in: project, environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("OPENAI_API_KEY"))
        #expect(await state.requestCount == 1, "after a 401 nothing more is sent")
        #expect(!result.stderr.contains("sk-test-wrong-key"))
    }
}

@Test func openAIWithoutAKeyIsASetupErrorWithTheFix() async throws {
    let result = try await KilnProcess.run(["build", "hero", "--provider", "openai"], in: KilnProcess.repositoryRoot)
    #expect(result.status == 2)
    #expect(result.stderr.contains("OPENAI_API_KEY is not set"))
    #expect(result.stderr.contains("--provider placeholder"))
}

@Test func forceReRollsATargetAndWhatReadsItAndLockedChecksAnOpenAILockWithoutAKey() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    try await withFakeOpenAI { environment, state in
        let first = try await KilnProcess.run(["build"], in: project, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(await state.requestCount == 18)

        await state.resetRecording()
        let again = try await KilnProcess.run(["build"], in: project, environment: environment)
        #expect(again.stderr.contains("all 55 step(s) up to date"))
        #expect(await state.requestCount == 0)

        // Re-roll the hero's backdrop: it and the edit that reads it are paid again; the derived
        // thumbnail is redone locally; nothing else runs.
        let forced = try await KilnProcess.run(["build", "--force", "hero/hero/backdrop"], in: project,
                                                    environment: environment)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(await state.requests.map(\.path).sorted() == ["/v1/images/edits", "/v1/images/generations"])
        #expect(forced.stderr.contains("built       3") && forced.stderr.contains("up to date  52"), "\(forced.stderr)")
    }
    // CI: no key, no provider calls, the lock was made with OpenAI.
    try FileManager.default.removeItem(at: project.appendingPathComponent(".kiln"))
    let locked = try await KilnProcess.run(["build", "--locked"], in: project)
    #expect(locked.status == 0, "\(locked.stderr)\n\(locked.stdout)")
    #expect(locked.stderr.contains("up to date  55"))
}
