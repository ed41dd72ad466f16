import Foundation
import KilnCore
import KilnTestSupport
import Testing
@testable import KilnServe

@Suite("kiln serve: several instances on one remote cache")
struct ServeRemoteCacheTests {
    @Test("an answer one instance paid for is served by another from the shared store, with no upstream call")
    func sharedStore() async throws {
        let shared = TemporaryFolder.make("serve-remote")
        defer { try? FileManager.default.removeItem(at: shared) }
        let paid = LockedBox<[String]>([])
        try await withServe(remoteFolder: shared) { first in
            let reply = try await first.generate("shared between instances")
            #expect(reply.status == 200)
            #expect(await first.upstreamCalls == 1)
            await first.remote?.waitForUploads()
            paid.value = reply.digests
        }
        try await withServe(remoteFolder: shared) { second in
            let reply = try await second.generate("shared between instances")
            #expect(reply.status == 200)
            #expect(reply.digests == paid.value)
            #expect(reply.value("images", "0", "cached") == .bool(true))
            #expect(await second.upstreamCalls == 0)
        }
        try await withServe(remoteFolder: shared) { third in
            // Only the image's digest: its blob comes from the shared store.
            let image = try await third.send(.GET, "/images/" + (paid.value.first ?? ""))
            #expect(image.status == 200)
            #expect(Digest.sha256(image.body) == paid.value.first)
        }
    }
}

/// A value tests share between closures.
final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
