import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

/// The HTTP backend against a real nginx with WebDAV on loopback (`NginxServer`), one for the suite.
@Suite(.enabled(if: Servers.nginx != nil || Servers.required, "needs nginx with WebDAV: apt-get install nginx-light"),
       NginxServer.scope)
struct HTTPCacheBackendTests {
    var server: NginxServer {
        get throws { try #require(NginxServer.current, "the suite's nginx did not start") }
    }

    /// Runs `body` with a backend for `/<path>` on the suite's nginx, shut down afterwards.
    func withBackend<T: Sendable>(_ path: String = "cache", environment: [String: String] = [:],
                                  _ body: (any RemoteCacheBackend) async throws -> T) async throws -> T {
        try await RemoteCacheBackends.withBackend(.http(try server.base(path)), environment: environment, body)
    }

    @Test func valuesRoundTripAndMissesAreNil() async throws {
        try await withBackend { try await BackendChecks.roundTrips($0) }
    }

    /// Values land where bazel-remote keeps them: `<base>/cas/<sha256>` and `<base>/ac/<key>`.
    @Test func largeValuesStreamThroughFilesInTheBazelRemoteLayout() async throws {
        let root = try server.root
        let (blob, action) = try await withBackend("team/kiln") { try await BackendChecks.filesRoundTrip($0) }
        let stored = try Data(contentsOf: root.appendingPathComponent("team/kiln/cas/\(blob.name)"))
        #expect(stored.count == 2_000_123 && Digest.sha256(stored) == blob.name)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("team/kiln/ac/\(action.name)").path))
    }

    @Test func aMismatchedBlobIsNeverSent() async throws {
        let claimed = try await withBackend { try await BackendChecks.refusesMismatchedBlobs($0) }
        let puts = try server.accessLog.split(separator: "\n").filter { $0.contains("PUT") && $0.contains(claimed.name) }
        #expect(puts.isEmpty, "nginx saw \(puts)")
    }

    @Test func manyTransfersAtOnce() async throws {
        try await withBackend { try await BackendChecks.manyAtOnce($0) }
    }

    /// Bytes in the store that do not match their digest are refused as `.invalid`, and a download
    /// of them leaves the destination as it was.
    @Test func aDamagedBlobIsNotUsed() async throws {
        let good = BackendChecks.randomBytes(5000)
        let address = CacheAddress.blob(sha256: Digest.sha256(good))
        let path = try server.root.appendingPathComponent("damaged/cas/\(address.name)")
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try BackendChecks.randomBytes(5000).write(to: path)
        let folder = TemporaryFolder.make("kiln-remote-damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("value")
        try Data("before".utf8).write(to: destination)
        try await withBackend("damaged") { backend in
            let read = await #expect(throws: RemoteStoreError.self) { _ = try await backend.get(address) }
            #expect(read?.kind == .invalid && read?.description.contains("not the one they are stored under") == true)
            let download = await #expect(throws: RemoteStoreError.self) { _ = try await backend.download(address, to: destination) }
            #expect(download?.kind == .invalid)
        }
        #expect(try Data(contentsOf: destination) == Data("before".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["value"], "a temp file was left")
    }

    @Test func basicAuthFromTheEnvironment() async throws {
        let good = ["KILN_REMOTE_CACHE_USER": NginxServer.user, "KILN_REMOTE_CACHE_PASSWORD": NginxServer.password]
        try await withBackend("basic", environment: good) { try await BackendChecks.roundTrips($0) }
        try await expectRefused("basic", environment: ["KILN_REMOTE_CACHE_USER": NginxServer.user,
                                                       "KILN_REMOTE_CACHE_PASSWORD": "wrong-password-value"],
                                secrets: ["wrong-password-value", NginxServer.password])
        try await expectRefused("basic", environment: [:], secrets: [])
    }

    @Test func bearerTokenFromTheEnvironment() async throws {
        try await withBackend("bearer", environment: ["KILN_REMOTE_CACHE_TOKEN": NginxServer.token]) {
            try await BackendChecks.roundTrips($0)
        }
        try await expectRefused("bearer", environment: ["KILN_REMOTE_CACHE_TOKEN": "wrong-token-value"],
                                secrets: ["wrong-token-value", NginxServer.token])
    }

    /// Every call is refused (`.refused`), with a message that says what to set and holds none of
    /// `secrets`.
    func expectRefused(_ path: String, environment: [String: String], secrets: [String]) async throws {
        try await withBackend(path, environment: environment) { backend in
            for error in await BackendChecks.failures(backend, Data("refused".utf8)) {
                #expect(error?.kind == .refused)
                let message = error?.description ?? ""
                #expect(message.contains("HTTP 401") && message.contains("KILN_REMOTE_CACHE_TOKEN"), "\(message)")
                for secret in secrets { #expect(!message.contains(secret), "\(message)") }
            }
        }
    }
}
