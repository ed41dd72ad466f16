import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

/// The rules every backend keeps before anything reaches the network, and how a store that is not
/// there fails. The backends point at a loopback port nothing listens on: a request that went out
/// would fail as `.unavailable`, so a `CacheKeyError` shows nothing was sent.
@Suite struct RemoteStoreRulesTests {
    static let secret = "rules-test-secret-value"
    static let token = "rules-test-token-value"

    /// Both kinds of backend, at a dead port, with credentials whose values must never be echoed.
    static func backends(settings: RemoteTransferSettings = RemoteTransferSettings()) throws -> [any RemoteCacheBackend] {
        let port = LoopbackPort.free()
        let http = try RemoteCacheBackends.make(.http(URL(string: "http://127.0.0.1:\(port)/cache")!),
                                                environment: ["KILN_REMOTE_CACHE_TOKEN": token], settings: settings)
        let s3 = try RemoteCacheBackends.make(.s3(bucket: "kiln-rules", prefix: "p"), environment: [
            "AWS_ACCESS_KEY_ID": "AKIDRULES", "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token,
            "AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)",
        ], settings: settings)
        return [http, s3]
    }

    static let invalid: [CacheAddress] = [
        .blob(sha256: "../../etc/passwd"), .blob(sha256: String(repeating: "A", count: 64)),
        .blob(sha256: "abc"), .action(key: "0123456"), .action(key: "0123456789abcdeg"), .action(key: "../ac/x?y=1"),
    ]

    @Test func invalidAddressesAreRefusedBeforeAnyRequest() async throws {
        let folder = TemporaryFolder.make("kiln-remote-rules")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("value")
        try Data("x".utf8).write(to: file)
        for backend in try Self.backends() {
            for address in Self.invalid {
                await #expect(throws: CacheKeyError.self) { _ = try await backend.contains(address) }
                await #expect(throws: CacheKeyError.self) { _ = try await backend.get(address) }
                await #expect(throws: CacheKeyError.self) { try await backend.put(Data("x".utf8), at: address) }
                await #expect(throws: CacheKeyError.self) { _ = try await backend.download(address, to: file) }
                await #expect(throws: CacheKeyError.self) { try await backend.upload(file, to: address) }
            }
            try await backend.shutdown()
        }
        #expect(try Data(contentsOf: file) == Data("x".utf8), "a refused download touched the destination")
    }

    @Test func aBlobWithOtherBytesIsRefusedBeforeSending() async throws {
        let folder = TemporaryFolder.make("kiln-remote-rules")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("value")
        try Data("other bytes".utf8).write(to: file)
        let claimed = CacheAddress.blob(sha256: Digest.sha256(Data("the bytes".utf8)))
        for backend in try Self.backends() {
            let error = await #expect(throws: CacheKeyError.self) { try await backend.put(Data("other bytes".utf8), at: claimed) }
            #expect(error?.description.contains(backend.name) == true)
            await #expect(throws: CacheKeyError.self) { try await backend.upload(file, to: claimed) }
            try await backend.shutdown()
        }
    }

    /// Connection refused fails at once: not retried inside the pool until the connect timeout
    /// (set to 240 s here). A retry loop would end in the connect timeout's words, not "refused":
    /// the message tells them apart, where wall time cannot (a full test run on two cores has
    /// starved a test's tasks for two minutes).
    @Test func aDeadPortIsUnavailableAtOnce() async throws {
        let address = CacheAddress.blob(sha256: Digest.sha256(Data("x".utf8)))
        for backend in try Self.backends(settings: RemoteTransferSettings(connectTimeout: 240)) {
            let error = await #expect(throws: RemoteStoreError.self) { _ = try await backend.get(address) }
            #expect(error?.kind == .unavailable)
            let message = error?.description ?? ""
            #expect(message.contains(backend.name) && message.contains("GET \(address)") && message.contains("refused"), "\(message)")
            #expect(!message.contains(Self.secret) && !message.contains(Self.token), "\(message)")
            await #expect(throws: RemoteStoreError.self) { try await backend.put(Data("x".utf8), at: address) }
            try await backend.shutdown()
        }
    }

    @Test func shutdownIsIdempotentAndLaterCallsFailClearly() async throws {
        for backend in try Self.backends() {
            try await backend.shutdown()
            try await backend.shutdown()
            let error = await #expect(throws: RemoteStoreError.self) {
                _ = try await backend.contains(.action(key: "0123456789abcdef"))
            }
            #expect(error?.description.contains("shut down") == true, "\(String(describing: error))")
        }
    }

    @Test func anS3LocationWithoutCredentialsIsAConfigurationError() {
        let error = #expect(throws: RemoteCacheConfigurationError.self) {
            _ = try RemoteCacheBackends.make(.s3(bucket: "kiln-cache", prefix: ""), environment: ["AWS_REGION": "eu-west-1"])
        }
        #expect(error?.description.contains("AWS_ACCESS_KEY_ID") == true)
    }
}
