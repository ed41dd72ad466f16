import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore
import Testing
@testable import KilnServe

/// Records what the server hands its sinks.
final class RecordingSinks: ServeAuditSink, ServeMetricsSink, @unchecked Sendable {
    private let lock = NSLock()
    private var audits: [ServeAuditRecord] = []
    private var calls: [String] = []
    var records: [ServeAuditRecord] { lock.withLock { audits } }
    var metricCalls: [String] { lock.withLock { calls } }

    func append(_ record: ServeAuditRecord) async { lock.withLock { audits.append(record) } }
    func close() async {}
    func request(route: String, status: Int, seconds: Double) { note("request \(route) \(status)") }
    func upstreamError(class: String) { note("upstream \(`class`)") }
    func cacheHit(route: String) { note("hit \(route)") }
    func cacheMiss(route: String) { note("miss \(route)") }
    func spend(usd: Double, client: String) { note("spend \(client)") }
    func render() -> String { "kiln_serve_requests_total 3\n" }
    private func note(_ text: String) { lock.withLock { calls.append(text) } }
}

/// A build that runs until the test lets it finish.
final class HeldBuild: ServeBuildRunner, @unchecked Sendable {
    let started = AsyncStream<Void>.makeStream()
    let release = AsyncStream<Void>.makeStream()

    func build(target: String?, event: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        event(#"{"event": "build_started", "target": "\#(target ?? "")"}"#)
        started.continuation.yield()
        for await _ in release.stream { break }
        event(#"{"event": "summary"}"#)
        return 0
    }
}

@Suite("kiln serve: audit, metrics and builds")
struct ServeRecordsTests {
    @Test("each image request is audited with its client, outcome and digests; prompts only as a hash by default")
    func audit() async throws {
        let sinks = RecordingSinks()
        try await withServe(audit: sinks, metrics: sinks) { serve in
            let first = try await serve.generate("audited prompt")
            _ = try await serve.generate("audited prompt", token: bobToken)
            _ = try await serve.send(.POST, "/api/images", json: #"{"prompt": "x", "n": 99}"#)
            let records = sinks.records
            #expect(records.count == 3)
            #expect(records.map(\.client) == ["alice", "bob", "alice"])
            #expect(records.map(\.outcome) == ["ok", "cached", "refused:invalid_value"])
            #expect(records[0].imageDigests == first.digests)
            #expect(records[0].promptSHA256 == Digest.sha256("audited prompt"))
            #expect(records.allSatisfy { $0.prompt == nil })
            #expect(records[0].costUSD > 0 && records[1].costUSD == 0)
            #expect(records.map(\.status) == [200, 200, 400])
            #expect(sinks.metricCalls.contains("miss /api/images") && sinks.metricCalls.contains("hit /api/images"))
            #expect(sinks.metricCalls.contains("spend alice"))
            let metrics = try await serve.send(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text == "kiln_serve_requests_total 3\n")
        }
    }

    @Test("store_prompts keeps the prompt in the audit record")
    func storePrompts() async throws {
        let sinks = RecordingSinks()
        try await withServe(testConfig { $0.storePrompts = true }, audit: sinks) { serve in
            _ = try await serve.generate("kept prompt")
            #expect(sinks.records.first?.prompt == "kept prompt")
        }
    }

    @Test("a build streams its events as Server-Sent Events; a second one while it runs is 409")
    func builds() async throws {
        let build = HeldBuild()
        try await withServe(builds: build) { serve in
            var request = HTTPClientRequest(url: serve.url + "/api/builds")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(aliceToken)")
            request.body = .bytes(ByteBuffer(string: #"{"target": "icons"}"#))
            let response = try await serve.client.execute(request, timeout: .seconds(120))
            #expect(response.status.code == 200)
            #expect(response.headers.first(name: "content-type") == "text/event-stream")
            for await _ in build.started.stream { break }
            let second = try await serve.send(.POST, "/api/builds", json: "{}")
            #expect(second.status == 409)
            #expect(second.errorCode == "build_running")
            build.release.continuation.yield()
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(text.contains(#"data: {"event": "build_started", "target": "icons"}"#))
            #expect(text.contains(#"data: {"event": "summary"}"#))
            #expect(text.hasSuffix("event: done\ndata: {\"status\": 0}\n\n"))
            let unknown = try await serve.send(.POST, "/api/builds", json: #"{"targets": "x"}"#)
            #expect(unknown.errorCode == "unknown_parameter")
            let noToken = try await serve.send(.POST, "/api/builds", json: "{}", token: nil)
            #expect(noToken.status == 401)
        }
    }

    @Test("the gallery is served read-only from outputs/, with no way out of it")
    func gallery() async throws {
        try await withServe { serve in
            let outputs = serve.project.appendingPathComponent("outputs")
            try FileManager.default.createDirectory(at: outputs.appendingPathComponent("kiln-gallery"), withIntermediateDirectories: true)
            try "<html>gallery</html>".write(to: outputs.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            try "body{}".write(to: outputs.appendingPathComponent("kiln-gallery/page.css"), atomically: true, encoding: .utf8)
            try "secret".write(to: serve.project.appendingPathComponent("serve.yaml"), atomically: true, encoding: .utf8)
            let page = try await serve.send(.GET, "/")
            #expect(page.status == 200 && page.text == "<html>gallery</html>")
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(try await serve.send(.GET, "/kiln-gallery/page.css").text == "body{}")
            #expect(try await serve.send(.GET, "/", token: nil).status == 401)
            for path in ["/kiln-gallery/../../serve.yaml", "/kiln-gallery/%2e%2e/%2e%2e/serve.yaml", "/kiln-gallery/.hidden"] {
                let raw = await RawHTTP.exchange(port: serve.port, head: "GET \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nConnection: close\r\n\r\n")
                #expect([400, 404].contains(RawHTTP.status(raw) ?? 0), "\(path)")
                #expect(raw?.contains("secret") == false)
            }
        }
    }
}
