import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

/// A store that fails the way real ones do, from a scripted loopback server: it stops sending
/// mid-body, sends a byte at a time forever, or answers with an error status. Each must end in the
/// right kind of `RemoteStoreError` within its timeout, and leave no file behind.
@Suite(.enabled(if: Servers.python || Servers.required, "needs python3"))
struct MisbehavingServerTests {
    static let address = CacheAddress.blob(sha256: Digest.sha256(Data("stalled".utf8)))

    /// Runs `call` and returns its error. Which timeout ended the call is checked by its message,
    /// which load cannot change; wall time is not (a full test run on two cores has starved a
    /// test's tasks for two minutes).
    func failure(_ call: () async throws -> Void) async -> RemoteStoreError? {
        await #expect(throws: RemoteStoreError.self) { try await call() }
    }

    /// Runs `calls` with a backend on a server in `mode` and a destination in an empty folder, then
    /// checks that the folder is still empty (no partial download, no temp file).
    func interrupted(_ mode: String, _ settings: RemoteTransferSettings,
                     _ calls: (any RemoteCacheBackend, URL) async throws -> Void) async throws {
        try await MisbehavingServer.with(mode) { base in
            let folder = TemporaryFolder.make("kiln-remote-\(mode)")
            defer { try? FileManager.default.removeItem(at: folder) }
            try await RemoteCacheBackends.withBackend(.http(base), environment: [:], settings: settings) { backend in
                try await calls(backend, folder.appendingPathComponent("value"))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [], "a partial download was left")
        }
    }

    /// 1 000 bytes of 1 000 000, then silence for 120 s: the idle timeout (1 s) ends it, long before
    /// the request deadline (60 s) would.
    @Test func aStoreThatStopsSendingMidBodyFailsAtTheIdleTimeout() async throws {
        try await interrupted("stall", RemoteTransferSettings(requestTimeout: 60, idleTimeout: 1)) { backend, destination in
            let read = await failure { _ = try await backend.get(Self.address) }
            #expect(read?.kind == .unavailable)
            #expect(read?.description.contains("no byte moved for 1 s") == true, "\(String(describing: read))")
            let download = await failure { _ = try await backend.download(Self.address, to: destination) }
            #expect(download?.kind == .unavailable)
            #expect(download?.description.contains("no byte moved for 1 s") == true, "\(String(describing: download))")
        }
    }

    /// A byte every 0.2 s: never idle, so only the request deadline (3 s) ends it; the deadline
    /// covers the body, not just the wait for the response's head.
    @Test func aStoreThatTricklesFailsAtTheRequestDeadline() async throws {
        try await interrupted("trickle", RemoteTransferSettings(requestTimeout: 3, idleTimeout: 10)) { backend, destination in
            let error = await failure { _ = try await backend.download(Self.address, to: destination) }
            #expect(error?.kind == .unavailable)
            #expect(error?.description.contains("within 3 s") == true, "\(String(describing: error))")
        }
    }

    /// A download cancelled while its body arrives (the build was interrupted) ends at once with
    /// `CancellationError` and leaves neither the value nor its temp file.
    @Test func aCancelledDownloadLeavesNoFile() async throws {
        try await interrupted("stall", RemoteTransferSettings(requestTimeout: 60, idleTimeout: 30)) { backend, destination in
            let download = Task { try await backend.download(Self.address, to: destination) }
            // Wait until the download has made its temp file, then cancel.
            let folder = destination.deletingLastPathComponent().path
            for _ in 0..<400 where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty ?? true {
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1, "no temp file was ever made")
            download.cancel()
            await #expect(throws: CancellationError.self) { _ = try await download.value }
        }
    }

    @Test(arguments: [(503, RemoteStoreError.Kind.unavailable), (500, .unavailable), (429, .unavailable),
                      (408, .unavailable), (401, .refused), (403, .refused), (400, .invalid), (301, .invalid),
                      (405, .invalid)])
    func statusesAreClassified(_ status: Int, _ kind: RemoteStoreError.Kind) async throws {
        try await MisbehavingServer.with("status:\(status)") { base in
            try await RemoteCacheBackends.withBackend(.http(base), environment: [:]) { backend in
                for error in await BackendChecks.failures(backend, Data("stalled".utf8)) {
                    #expect(error?.kind == kind, "\(String(describing: error))")
                    #expect(error?.description.contains("HTTP \(status)") == true)
                }
            }
        }
    }
}
