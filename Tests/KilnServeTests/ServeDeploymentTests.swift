import Foundation
import KilnCore
import KilnFakeOpenAI
import KilnTestSupport
import Testing
@testable import KilnServe

/// The binary as it is deployed: the key from `api_key_file` (no key in the environment), and two
/// instances on one remote cache, the second answering what the first paid for without a call.
@Suite("kiln serve: deployment through the binary")
struct ServeDeploymentTests {
    @Test("api_key_file is the key; a second instance on the same --remote-cache serves the first one's answer with no upstream call")
    func keyFileAndSharedRemoteCache() async throws {
        let fake = FakeOpenAIServer(configuration: .init(apiKey: testKey))
        let (fakePort, fakeTask) = try await launch { ready in fake.makeApplication(onServerRunning: { await ready($0.localAddress?.port ?? 0) }) }
        defer { fakeTask.cancel() }
        let remote = TemporaryFolder.make("serve-remote")
        defer { try? FileManager.default.removeItem(at: remote) }
        let base = "http://127.0.0.1:\(fakePort)/v1"

        // Instance A: the key only in a file the configuration names.
        let (a, aConfig) = try ServeProcessTests().project()
        defer { try? FileManager.default.removeItem(at: a) }
        try Data("\(testKey)\n".utf8).write(to: a.appendingPathComponent("openai.key"))
        try (String(contentsOfFile: aConfig, encoding: .utf8) + "api_key_file: openai.key\n").write(toFile: aConfig, atomically: true, encoding: .utf8)
        let first = try ServeProcessTests.Server(["--config", aConfig, "--port", "0", "--base-url", base, "--remote-cache", "file://" + remote.path],
                                                 in: a, environment: [:])
        let body = #"{"prompt": "a lighthouse made of glass", "size": "1024x1024", "quality": "low"}"#
        let paid = await Self.post(first, body)
        #expect(RawHTTP.status(paid) == 200, "\(paid ?? "no answer")")
        #expect(paid?.contains(#""cached": false"#) == true || paid?.contains(#""cached":false"#) == true, "\(paid ?? "")")
        #expect(await fake.state.requestCount == 1)
        // The record reaches the remote cache after the answer (uploads are off the critical path).
        let deadline = ContinuousClock.now + .seconds(60)
        while Self.files(in: remote).count < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(Self.files(in: remote).count >= 2, "nothing reached the remote cache: \(Self.files(in: remote))")

        // Instance B: its own empty local cache, the same remote cache.
        let (b, bConfig) = try ServeProcessTests().project()
        defer { try? FileManager.default.removeItem(at: b) }
        let second = try ServeProcessTests.Server(["--config", bConfig, "--port", "0", "--base-url", base, "--remote-cache", "file://" + remote.path],
                                                  in: b, environment: ["OPENAI_API_KEY": testKey])
        let served = await Self.post(second, body)
        #expect(RawHTTP.status(served) == 200, "\(served ?? "no answer")")
        #expect(served?.contains(#""cached": true"#) == true || served?.contains(#""cached":true"#) == true, "\(served ?? "")")
        #expect(await fake.state.requestCount == 1, "the second instance paid again")

        for server in [first, second] { kill(server.process.processIdentifier, SIGTERM) }
        #expect(await first.finish() == 0)
        #expect(await second.finish() == 0)
        for server in [first, second] {
            let output = String(decoding: server.stdout + server.stderr, as: UTF8.self)
            #expect(!output.contains(testKey), "the key leaked into the server's output")
        }
        #expect(!(paid ?? "").contains(testKey) && !(served ?? "").contains(testKey))
    }

    @Test("an api_key_file that is missing or empty stops the server at start with the file named, before it listens")
    func unreadableKeyFile() async throws {
        let (folder, config) = try ServeProcessTests().project()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("empty.key"))
        for file in ["missing.key", "empty.key"] {
            let text = try String(contentsOfFile: config, encoding: .utf8)
            try (text.replacingOccurrences(of: "api_key_file: missing.key\n", with: "") + "api_key_file: \(file)\n")
                .write(toFile: config, atomically: true, encoding: .utf8)
            let run = try await ChildProcess.run(KilnBinary.url, ["serve", "--config", config, "--port", "0"], in: folder, environment: [:])
            #expect(run.status != 0)
            #expect(run.stdout.isEmpty, "it printed a URL: \(run.stdout)")
            #expect(run.stderr.contains("api_key_file \(file) cannot be read or is empty"), "\(run.stderr)")
        }
    }

    @Test("a restart keeps today's spend: the daily budget is restored from the audit log, not reset")
    func budgetSurvivesARestart() async throws {
        let fake = FakeOpenAIServer(configuration: .init(apiKey: testKey))
        let (fakePort, fakeTask) = try await launch { ready in fake.makeApplication(onServerRunning: { await ready($0.localAddress?.port ?? 0) }) }
        defer { fakeTask.cancel() }
        let (folder, config) = try ServeProcessTests().project()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A low-quality 1024x1024 image is estimated at about $0.009: two fit in $0.02, a third does not.
        try (String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "limits:\n", with: "limits:\n  daily_budget_usd: 0.02\n"))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let arguments = ["--config", config, "--port", "0", "--base-url", "http://127.0.0.1:\(fakePort)/v1"]
        func body(_ prompt: String) -> String { #"{"prompt": "\#(prompt)", "size": "1024x1024", "quality": "low"}"# }

        let first = try ServeProcessTests.Server(arguments, in: folder, environment: ["OPENAI_API_KEY": testKey])
        #expect(RawHTTP.status(await Self.post(first, body("one"))) == 200)
        #expect(RawHTTP.status(await Self.post(first, body("two"))) == 200)
        kill(first.process.processIdentifier, SIGTERM)
        #expect(await first.finish() == 0)

        let second = try ServeProcessTests.Server(arguments, in: folder, environment: ["OPENAI_API_KEY": testKey])
        let third = await Self.post(second, body("three"))
        #expect(RawHTTP.status(third) == 402, "\(third ?? "no answer")")
        #expect(RawHTTP.status(await Self.post(second, body("one"))) == 200, "a cached answer costs nothing")
        kill(second.process.processIdentifier, SIGTERM)
        #expect(await second.finish() == 0)
        #expect(await fake.state.requestCount == 2)
    }

    static func post(_ server: ServeProcessTests.Server, _ body: String) async -> String? {
        let port = Int(server.url.split(separator: ":").last ?? "") ?? 0
        let head = "POST /api/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        return await RawHTTP.exchange(port: port, head: head, body: Data(body.utf8), waitSeconds: 120)
    }

    static func files(in folder: URL) -> [String] {
        (FileManager.default.enumerator(atPath: folder.path)?.allObjects.compactMap { $0 as? String } ?? [])
            .filter { !$0.hasPrefix("tmp") && !$0.contains("/.") }
            .filter { var isFolder: ObjCBool = false
                      return FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isFolder) && !isFolder.boolValue }
    }
}
