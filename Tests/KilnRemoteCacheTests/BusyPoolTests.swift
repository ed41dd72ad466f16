import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

/// A transfer goes on to its end while every thread of Swift's cooperative pool is held by other
/// work — as a build's own work, or this test run's blocking child-process calls, hold them for
/// seconds at a time. Before transfers had threads of their own, a download under a 1 s idle
/// timeout failed here with "no byte moved for 1 s" from a store that was sending all along; before
/// the write timeout was dropped, so did a streamed upload whose body the busy pool held up.
/// Serialized: each test holds the pool, which would starve the other's transfer.
@Suite(.enabled(if: Servers.python || Servers.required, "needs python3"), .serialized)
struct BusyPoolTests {
    /// 1 000 000 bytes of "x": what the "paced" server sends for any GET.
    static let paced = Data(repeating: UInt8(ascii: "x"), count: 1_000_000)

    /// Holds every cooperative thread (one blocking task per core) until `done()` holds or `limit`
    /// seconds pass; true when `done()` held before each task gave up.
    static func holdingEveryThread(limit: Double = 20, until done: @escaping @Sendable () -> Bool) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<ProcessInfo.processInfo.activeProcessorCount {
                group.addTask {
                    let end = Date().addingTimeInterval(limit)
                    while !done() && Date() < end { usleep(5_000) }
                    return done()
                }
            }
            var every = true
            for await held in group { every = every && held }
            return every
        }
    }

    /// Polls (without blocking a thread) until `ready()` holds, for at most 20 s.
    static func waitUntil(_ ready: () -> Bool) async throws {
        for _ in 0..<800 where !ready() { try await Task.sleep(for: .milliseconds(25)) }
        #expect(ready(), "the transfer never began")
    }

    /// A store sending a 1 MB answer in 20 pieces 0.1 s apart, and a 1 s idle timeout: once the body
    /// has begun, the pool is held until the value is in place.
    @Test func aDownloadFinishesWhileEveryCooperativeThreadIsHeld() async throws {
        try await MisbehavingServer.with("paced") { base in
            let folder = TemporaryFolder.make("kiln-busy-download")
            defer { try? FileManager.default.removeItem(at: folder) }
            let destination = folder.appendingPathComponent("value")
            let settings = RemoteTransferSettings(requestTimeout: 60, idleTimeout: 1)
            try await RemoteCacheBackends.withBackend(.http(base), environment: [:], settings: settings) { backend in
                let address = CacheAddress.blob(sha256: Digest.sha256(Self.paced))
                let download = Task { try await backend.download(address, to: destination) }
                // The body has begun once the download has made its temp file.
                try await Self.waitUntil { !((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty }
                let path = destination.path
                let finished = await Self.holdingEveryThread { FileManager.default.fileExists(atPath: path) }
                #expect(finished, "the download did not reach its file while the cooperative pool was held")
                #expect(try await download.value)
                #expect(try Data(contentsOf: destination) == Self.paced)
            }
        }
    }

    /// A value too large to read whole is streamed from its file by a task of AsyncHTTPClient's own,
    /// which runs on the cooperative pool whatever Kiln prefers, so a busy pool holds the body up.
    /// That is Kiln's slowness, not the store's, and must not fail the upload: with a 1 s idle
    /// timeout, the pool is held for 3 s once the store has the request's head (it reads the body
    /// 64 KiB every 5 ms), and the upload must still succeed, whole.
    @Test func aStreamedUploadHeldUpByABusyPoolStillSucceeds() async throws {
        let folder = TemporaryFolder.make("kiln-busy-upload")
        defer { try? FileManager.default.removeItem(at: folder) }
        let log = folder.appendingPathComponent("requests.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        try await MisbehavingServer.with("slowput:\(log.path)") { base in
            var value = Data(count: 17 << 20)
            value.replaceSubrange(0..<64, with: BackendChecks.randomBytes(64))
            let source = folder.appendingPathComponent("value")
            try value.write(to: source)
            let settings = RemoteTransferSettings(requestTimeout: 60, idleTimeout: 1)
            try await RemoteCacheBackends.withBackend(.http(base), environment: [:], settings: settings) { backend in
                let address = CacheAddress.blob(sha256: Digest.sha256(value))
                let upload = Task { try await backend.upload(source, to: address) }
                let logPath = log.path
                let lines = { @Sendable in ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n") }
                try await Self.waitUntil { lines().contains("head") }
                _ = await Self.holdingEveryThread(limit: 3) { false }
                try await upload.value
                #expect(lines() == ["head", "done"], "\(lines())")
            }
        }
    }
}
