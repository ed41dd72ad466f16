import AsyncHTTPClient
import Foundation
import Hummingbird
import KilnCache
import KilnCore
import KilnFakeOpenAI
import KilnImaging
import KilnOpenAI
import KilnPlaceholder
import KilnRemoteCache
import KilnTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Testing
@testable import KilnServe

/// An obviously fake OpenAI key: it must never appear in a response or a log line.
let testKey = "sk-test-serve-0123456789SECRET"
let aliceToken = "kiln_test-alice-token-000000000000000000000"
let bobToken = "kiln_test-bob-token-1111111111111111111111"

/// A running `kiln serve` (in-process, on a free loopback port) in front of a running fake OpenAI
/// server, with an HTTP client and a capture of every log line.
struct ServeHarness: Sendable {
    let url: String
    let port: Int
    let fake: FakeOpenAIState
    let cacheDirectory: URL
    let project: URL
    let client: HTTPClient
    let logs: LogCapture
    /// The remote tier, when the server has one.
    let remote: RemoteTier?

    var upstreamCalls: Int { get async { await fake.requestCount } }

    /// A request with alice's token (or `token`), JSON body and headers.
    func send(_ method: HTTPMethod = .POST, _ path: String, json: String? = nil, token: String? = aliceToken,
              headers: [(String, String)] = [], body: Data? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        let reply = Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name.lowercased(), $0.value) },
                          body: Data(bytes.readableBytesView))
        logs.append("RESPONSE \(reply.status) \(reply.headers) \(String(decoding: reply.body, as: UTF8.self))")
        return reply
    }

    /// A generation through Kiln's API.
    func generate(_ prompt: String = "a red kiln at dusk", extra: String = "", token: String? = aliceToken) async throws -> Reply {
        try await send(.POST, "/api/images", json: "{\"prompt\": \"\(prompt)\", \"size\": \"1024x1024\", \"quality\": \"low\"\(extra)}",
                       token: token)
    }
}

/// A response: status, headers (lowercased names) and body.
struct Reply: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data

    func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
    /// `error.param` / `error.code` of an error envelope.
    var errorParam: String? { if case let .string(s)? = json?["error"]?["param"] { s } else { nil } }
    var errorCode: String? { if case let .string(s)? = json?["error"]?["code"] { s } else { nil } }
    var errorType: String? { if case let .string(s)? = json?["error"]?["type"] { s } else { nil } }
    /// The digests of a Kiln API answer.
    var digests: [String] {
        guard case let .array(images)? = json?["images"] else { return [] }
        return images.compactMap { if case let .string(s)? = $0["digest"] { s } else { nil } }
    }
    /// The value at a path of member names and array indices (`"images", "0", "url"`).
    func value(_ path: String...) -> JSONValue? { value(path) }

    func value(_ path: [String]) -> JSONValue? {
        var value = json
        for key in path {
            if let i = Int(key) {
                guard case let .array(items)? = value, items.indices.contains(i) else { return nil }
                value = items[i]
            } else {
                value = value?[key]
            }
        }
        return value
    }

    func string(_ path: String...) -> String? {
        if case let .string(s)? = value(path) { return s }
        return nil
    }
}

/// The default configuration of the tests: two clients, generous limits.
func testConfig(_ change: (inout ServeConfig) -> Void = { _ in }) -> ServeConfig {
    var config = ServeConfig()
    config.port = 0
    config.tokens = [.init(name: "alice", sha256: TokenHash.hash(aliceToken)), .init(name: "bob", sha256: TokenHash.hash(bobToken))]
    config.limits.ratePerMinute = 6000
    config.limits.burst = 1000
    change(&config)
    return config
}

/// Runs `body` against a fresh server and fake, then stops both and checks that the key leaked
/// into no response and no log line.
func withServe(_ config: ServeConfig = testConfig(), fake: FakeOpenAIConfiguration = FakeOpenAIConfiguration(apiKey: testKey),
               provider providerName: String = "openai", urlSecret: String? = nil, retries: Int = 1,
               audit: any ServeAuditSink = NoAuditSink(), metrics: any ServeMetricsSink = NoMetricsSink(),
               builds: (any ServeBuildRunner)? = nil, remoteFolder: URL? = nil,
               _ body: @Sendable (ServeHarness) async throws -> Void) async throws {
    try VipsToolkit.initialize()
    let logs = LogCapture()
    let fakeServer = FakeOpenAIServer(configuration: fake)
    let (fakePort, fakeTask) = try await launch { ready in
        fakeServer.makeApplication(onServerRunning: { await ready($0.localAddress?.port ?? 0) })
    }
    let folder = TemporaryFolder.make("serve")
    var config = config
    config.projectDirectory = folder.path
    var openAI = OpenAIConfiguration(environment: ["OPENAI_API_KEY": testKey, "OPENAI_BASE_URL": "http://127.0.0.1:\(fakePort)/v1"])
    openAI.backoffBase = 0.001
    openAI.backoffCap = 0.01
    openAI.retries = retries
    let openAIProvider = OpenAIProvider(configuration: openAI, logger: logs.logger)
    let provider: any ImageProvider = providerName == "placeholder" ? PlaceholderProvider() : openAIProvider
    var cache = ResultCache(directory: config.resolvedCacheDirectory)
    var backend: (any RemoteCacheBackend)?
    if let remoteFolder {
        backend = try RemoteCacheBackends.make(try RemoteCacheLocation(parsing: "file://" + remoteFolder.path), environment: [:])
        cache.remote = RemoteTier(backend: backend!, local: cache)
    }
    let server = try ServeServer(config: config, dependencies: ServeDependencies(
        provider: provider, toolkit: VipsToolkit(), cache: cache, audit: audit, metrics: metrics, builds: builds,
        urlSecret: urlSecret, logger: logs.logger))
    let (port, serveTask) = try await launch { ready in
        server.application(onListening: { url in await ready(Int(url.split(separator: ":").last ?? "0") ?? 0) })
    }
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let harness = ServeHarness(url: "http://127.0.0.1:\(port)", port: port, fake: fakeServer.state,
                               cacheDirectory: config.resolvedCacheDirectory, project: folder, client: client, logs: logs,
                               remote: cache.remote)
    var failure: (any Error)?
    do { try await body(harness) } catch { failure = error }
    try? await client.shutdown()
    serveTask.cancel()
    fakeTask.cancel()
    _ = try? await serveTask.value
    _ = try? await fakeTask.value
    try? await openAIProvider.shutdown()
    await cache.remote?.waitForUploads()
    try? await backend?.shutdown()
    try? FileManager.default.removeItem(at: folder)
    if let failure { throw failure }
    #expect(!logs.text.contains(testKey), "the OpenAI key leaked into a response or the log")
    #expect(!logs.text.contains("SECRET"), "the OpenAI key leaked into a response or the log")
}

/// Runs an application until the returned task is cancelled; returns the port it bound.
func launch<App: ApplicationProtocol>(_ make: (@escaping @Sendable (Int) async -> Void) -> App) async throws
    -> (Int, Task<Void, any Error>) {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = make { port in continuation.yield(port) }
    let task = Task { try await app.run() }
    for await port in ports { return (port, task) }
    throw CancellationError()
}
