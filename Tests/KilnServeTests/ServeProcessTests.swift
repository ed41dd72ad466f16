import Foundation
import KilnCore
import KilnFakeOpenAI
import KilnTestSupport
import Testing
@testable import KilnServe

/// The real `kiln serve` binary, with an in-process fake OpenAI as its upstream.
@Suite("kiln serve: the binary")
struct ServeProcessTests {
    /// A started `kiln serve`, its URL read from the first line of stdout.
    final class Server: @unchecked Sendable {
        let process = Process()
        let out = Pipe(), err = Pipe()
        var url = ""
        var stdout = Data(), stderr = Data()

        init(_ arguments: [String], in folder: URL, environment: [String: String]) throws {
            process.executableURL = KilnBinary.url
            process.arguments = ["serve"] + arguments
            process.currentDirectoryURL = folder
            process.environment = environment.merging(["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]) { a, _ in a }
            process.standardOutput = out
            process.standardError = err
            try process.run()
            var line = Data()
            while true {
                let byte = out.fileHandleForReading.readData(ofLength: 1)
                guard !byte.isEmpty, byte != Data("\n".utf8) else { break }
                line += byte
            }
            url = String(decoding: line, as: UTF8.self)
            stdout = line
        }

        /// Waits for the exit (off the cooperative pool) and returns the status.
        func finish() async -> Int32 {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    self.stdout += self.out.fileHandleForReading.readDataToEndOfFile()
                    self.stderr = self.err.fileHandleForReading.readDataToEndOfFile()
                    self.process.waitUntilExit()
                    continuation.resume(returning: self.process.terminationStatus)
                }
            }
        }
    }

    func project() throws -> (URL, String) {
        let folder = TemporaryFolder.make("serve-bin")
        let config = folder.appendingPathComponent("serve.yaml")
        try """
        limits:
          rate_per_minute: 6000
          burst: 100
        tokens:
          - name: alice
            sha256: \(TokenHash.hash(aliceToken))

        """.write(to: config, atomically: true, encoding: .utf8)
        return (folder, config.path)
    }

    @Test("SIGTERM lets the request in flight finish and keeps its paid answer, then the server exits 0")
    func gracefulShutdown() async throws {
        let fake = FakeOpenAIServer(configuration: .init(apiKey: testKey, latency: .milliseconds(1500)))
        let (fakePort, fakeTask) = try await launch { ready in fake.makeApplication(onServerRunning: { await ready($0.localAddress?.port ?? 0) }) }
        defer { fakeTask.cancel() }
        let (folder, config) = try project()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try Server(["--config", config, "--port", "0", "--base-url", "http://127.0.0.1:\(fakePort)/v1"], in: folder,
                                environment: ["OPENAI_API_KEY": testKey])
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        let port = Int(server.url.split(separator: ":").last ?? "") ?? 0
        let body = #"{"prompt": "in flight at shutdown", "quality": "low", "size": "1024x1024"}"#
        let head = "POST /api/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let reply = Task { await RawHTTP.exchange(port: port, head: head, body: Data(body.utf8), waitSeconds: 120) }
        while await fake.state.requestsInFlight == 0 { try await Task.sleep(for: .milliseconds(20)) }
        kill(server.process.processIdentifier, SIGTERM)
        let response = await reply.value
        #expect(RawHTTP.status(response) == 200, "\(response ?? "no answer")")
        #expect(await server.finish() == 0)
        let entries = FileManager.default.enumerator(atPath: folder.appendingPathComponent(".kiln/cache/actions").path)?
            .allObjects.compactMap { $0 as? String }.filter { $0.hasSuffix(".entry") } ?? []
        #expect(entries.count == 1)
        #expect(await fake.state.requestCount == 1)
        let output = String(decoding: server.stdout + server.stderr, as: UTF8.self) + (response ?? "")
        #expect(!output.contains(testKey))
        // The audit log was closed with the call in it: the client, the status, the prompt's hash,
        // never the prompt (store_prompts is off), read back by `kiln serve audit`.
        let audit = Process()
        let listing = Pipe()
        audit.executableURL = KilnBinary.url
        audit.arguments = ["serve", "audit", "--project-dir", folder.path, "--json"]
        audit.standardOutput = listing
        try audit.run()
        let lines = String(decoding: listing.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        audit.waitUntilExit()
        #expect(audit.terminationStatus == 0)
        let records = lines.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(records.count == 1, "\(lines)")
        #expect(records.first?["client"] as? String == "alice")
        #expect(records.first?["status"] as? Int == 200)
        #expect(records.first?["prompt_sha256"] as? String == Digest.sha256(Data("in flight at shutdown".utf8)))
        #expect(!lines.contains("in flight at shutdown"))
    }

    @Test("POST /api/builds runs kiln build --json in the served project and streams its events; / serves the gallery it wrote")
    func buildAndGallery() async throws {
        let (folder, config) = try project()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
        try """
        version: 1
        assets:
          badge:
            prompt: "a round badge"
            size: 1024x1024
            quality: low
            output: badge.png

        """.write(to: folder.appendingPathComponent("pipelines/site.yaml"), atomically: true, encoding: .utf8)
        let server = try Server(["--config", config, "--port", "0", "--provider", "placeholder"], in: folder, environment: [:])
        let port = Int(server.url.split(separator: ":").last ?? "") ?? 0
        let body = "{}"
        let head = "POST /api/builds HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let stream = await RawHTTP.exchange(port: port, head: head, body: Data(body.utf8), waitSeconds: 300) ?? ""
        #expect(stream.contains("text/event-stream"))
        #expect(stream.contains(#""event":"build_started""#) && stream.contains(#""event":"summary""#), "\(stream)")
        #expect(stream.contains("event: done\ndata: {\"status\": 0}"), "\(stream)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("outputs/badge.png").path))
        let page = await RawHTTP.exchange(port: port, head: "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nConnection: close\r\n\r\n")
        #expect(RawHTTP.status(page) == 200)
        #expect(page?.contains("<html") == true || page?.contains("<!DOCTYPE") == true || page?.contains("<!doctype") == true)
        kill(server.process.processIdentifier, SIGTERM)
        let status = await server.finish()
        #expect(status == 0, "\(String(decoding: server.stderr, as: UTF8.self))")
        // The server's stdout is its URL only: the build's events went to the client.
        #expect(String(decoding: server.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == server.url)
    }

    static let sdkAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import openai"]
        process.standardError = Pipe()
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()
    static let sdkRequired = ProcessInfo.processInfo.environment["KILN_REQUIRE_SERVERS"] == "1"

    @Test("the official openai Python SDK works against the gateway unchanged",
          .enabled(if: sdkAvailable || sdkRequired, "needs python3 -m pip install openai (KILN_REQUIRE_SERVERS=1 makes this a failure)"))
    func officialSDK() async throws {
        #expect(Self.sdkAvailable, "python3 cannot import openai")
        let fake = FakeOpenAIServer(configuration: .init(apiKey: testKey))
        let (fakePort, fakeTask) = try await launch { ready in fake.makeApplication(onServerRunning: { await ready($0.localAddress?.port ?? 0) }) }
        defer { fakeTask.cancel() }
        let (folder, config) = try project()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("photo.png")
        try TestPNG.make(width: 64, height: 64).write(to: image)
        let server = try Server(["--config", config, "--port", "0", "--base-url", "http://127.0.0.1:\(fakePort)/v1"], in: folder,
                                environment: ["OPENAI_API_KEY": testKey])
        let script = KilnBinary.repositoryRoot.appendingPathComponent("Tests/Serve/sdk_check.py").path
        let result: (Int32, Data, String) = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", script, server.url + "/v1", aliceToken, image.path]
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                try? process.run()
                let data = out.fileHandleForReading.readDataToEndOfFile()
                let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data, errors))
            }
        }
        kill(server.process.processIdentifier, SIGTERM)
        #expect(await server.finish() == 0)
        try #require(result.0 == 0, "sdk_check.py failed: \(result.2)")
        let seen = try #require(try JSONSerialization.jsonObject(with: result.1) as? [String: Any])
        #expect((seen["generate_bytes"] as? Int ?? 0) > 0)
        #expect(seen["generate_size"] as? String == "1024x1024")
        #expect(seen["repeat_same_bytes"] as? Bool == true)
        #expect(seen["edit_is_png"] as? Bool == true)
        #expect(seen["edit_with_mask_is_png"] as? Bool == true)
        #expect(seen["response_format_status"] as? Int == 400)
        #expect(seen["response_format_code"] as? String == "unknown_parameter")
        #expect(seen["response_format_param"] as? String == "response_format")
        #expect(seen["bad_size_param"] as? String == "size")
        #expect(seen["wrong_token_status"] as? Int == 401)
        #expect(seen["wrong_token_code"] as? String == "invalid_api_key")
        // The generation, the edit and the edit with its mask (which reached the upstream as a mask);
        // the repeated generation came from the cache.
        #expect(await fake.state.requestCount == 3)
        #expect(await fake.state.requests.contains { request in request.files.contains { $0.field == "mask" } })
        #expect(!String(decoding: server.stdout + server.stderr, as: UTF8.self).contains(testKey))
    }
}
