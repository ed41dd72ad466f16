import Foundation
@testable import KilnCache
import KilnCore
import KilnTestSupport
import Synchronization
import Testing

/// The remote tier against a store that is a folder (the local disk store, as a remote would hold
/// it), and against stores that fail in each way a real one can: down, slow, refusing, answering
/// garbage, holding a damaged image or a forged record.
@Suite struct RemoteTierTests {
    let root = TemporaryFolder.make("kiln-remote-tier")
    var remoteStore: LocalDiskStore { LocalDiskStore(root: root.appendingPathComponent("remote").path) }

    func localCache(_ name: String) -> ResultCache {
        ResultCache(directory: root.appendingPathComponent(name))
    }

    /// A local cache `a` holding one answer of two images, uploaded to the remote store.
    func uploaded(signing: String? = nil, newImages: Int = 2) async throws -> (key: String, images: [Data]) {
        let a = localCache("a")
        let step = TestSteps.generate("g", n: 2)
        let images = [TestPNG.make(width: 32, height: 32, seed: 1), TestPNG.make(width: 32, height: 32, seed: 2)]
        try a.store(key: step.cacheKey, step: step, images: images, usage: Usage(inputTokens: 5, outputTokens: 50),
                    requestID: "req_1", resolved: ["size": "32x32"], layout: .inline)
        var options = RemoteTier.Options()
        options.signing = signing.flatMap(RemoteActionValue.SigningKey.init)
        let tier = RemoteTier(backend: remoteStore, local: a, options: options)
        tier.upload(step.cacheKey)
        await tier.waitForUploads()
        #expect(tier.stats.uploaded == 1 && tier.stats.blobsUploaded == newImages, "images the store has are not sent again: \(tier.stats)")
        return (step.cacheKey, images)
    }

    func tier(_ backend: any CacheBackend, local: ResultCache, signing: String? = nil, required: Bool = false,
              timeout: Duration = .seconds(10), warnings: Warnings? = nil) -> RemoteTier {
        var options = RemoteTier.Options()
        options.signing = signing.flatMap(RemoteActionValue.SigningKey.init)
        options.required = required
        options.timeout = timeout
        return RemoteTier(backend: backend, local: local, options: options, warn: { warnings?.add($0) })
    }

    @Test func anAnswerUploadedByOneCacheIsFoundByAnotherWithItsRecord() async throws {
        let (key, images) = try await uploaded()
        let b = localCache("b")
        let remote = tier(remoteStore, local: b)
        #expect(try await remote.fetch(key))
        let hit = try #require(try b.lookup(key))
        #expect(hit.images == images)
        #expect(hit.record.requestID == "req_1" && hit.record.usage?.usage.outputTokens == 50)
        #expect(remote.stats.hits == 1 && remote.stats.bytesDown == Int64(images.map(\.count).reduce(0, +)))
        // A key the store does not have is a miss, not an error.
        #expect(try await !remote.fetch(String(repeating: "ab", count: 32)))
        #expect(remote.stats.misses == 1 && remote.stats.errors == 0)
    }

    @Test func aDamagedImageInTheStoreIsDetectedAndNotUsed() async throws {
        let (key, images) = try await uploaded()
        let blob = remoteStore.path(for: .blob(sha256: Digest.sha256(images[1])))
        chmod(blob, 0o644)
        try TestPNG.make(width: 32, height: 32, seed: 9).write(to: URL(fileURLWithPath: blob))
        let b = localCache("b")
        let warnings = Warnings()
        let remote = tier(remoteStore, local: b, warnings: warnings)
        #expect(try await !remote.fetch(key))
        #expect(try b.lookup(key) == nil, "a damaged answer reached the local cache")
        #expect(!b.store.existsNow(.blob(sha256: Digest.sha256(images[1]))))
        #expect(remote.stats.rejected == 1 && remote.stats.hits == 0)
        #expect(warnings.lines.count == 1 && warnings.lines[0].contains("does not match its digest"), "\(warnings.lines)")
    }

    @Test func withASigningKeyOnlyRecordsSignedWithItAreUsed() async throws {
        let secret = "team-secret-0123456789"
        let (key, _) = try await uploaded(signing: secret)
        #expect(try await tier(remoteStore, local: localCache("b"), signing: secret).fetch(key))

        let other = tier(remoteStore, local: localCache("c"), signing: "another-secret-0123456789")
        #expect(try await !other.fetch(key))
        #expect(other.stats.rejected == 1)

        // A writer without the key (or with another) cannot poison the store for those who have it.
        let (forgedKey, _) = try await uploaded(newImages: 0)   // unsigned, over the same key
        #expect(forgedKey == key)
        let reader = tier(remoteStore, local: localCache("d"), signing: secret)
        #expect(try await !reader.fetch(key))
        #expect(reader.stats.rejected == 1)
        // And a signed record moved to another key is refused too.
        let value = try #require(try await remoteStore.get(.action(key: key)))
        let moved = String(repeating: "cd", count: 32)
        #expect(throws: RemoteActionValue.Rejection.otherKey) {
            _ = try RemoteActionValue.decode(value, key: moved, signing: nil)
        }
        let signed = RemoteActionValue.encode(try RemoteActionValue.decode(value, key: key, signing: nil),
                                              signing: RemoteActionValue.SigningKey(secret))
        try await remoteStore.put(signed, at: .action(key: moved))
        #expect(try await !tier(remoteStore, local: localCache("e"), signing: secret).fetch(moved))
        #expect(RemoteActionValue.SigningKey("short") == nil, "a key under 16 bytes is refused")
    }

    /// The upload reads the local entry without hashing it (the store's put checks each image's
    /// digest, so the bytes are hashed once): a damaged local copy is still never sent.
    @Test func aDamagedLocalEntryIsNeverUploaded() async throws {
        let a = localCache("a")
        let step = TestSteps.generate("g")
        let image = TestPNG.make(width: 16, height: 16, seed: 3)
        try a.store(key: step.cacheKey, step: step, images: [image], usage: nil, requestID: nil, resolved: [:], layout: .inline)
        let entry = URL(fileURLWithPath: a.entryPath(step.cacheKey))
        var bytes = try Data(contentsOf: entry)
        bytes[bytes.count - 20] ^= 0xFF   // inside the image, same size
        try bytes.write(to: entry)
        let tier = RemoteTier(backend: remoteStore, local: a)
        tier.upload(step.cacheKey)
        await tier.waitForUploads()
        #expect(tier.stats.uploaded == 0 && tier.stats.errors == 1, "\(tier.stats)")
        #expect(try await !remoteStore.contains(.action(key: step.cacheKey)))
        #expect(try await !remoteStore.contains(.blob(sha256: Digest.sha256(image))))
    }

    /// Credentials that may read but not write stop the uploads, never the look-ups that save
    /// paying; what was not uploaded is counted.
    @Test func refusedWritesStopUploadsButNotLookUps() async throws {
        let (key, _) = try await uploaded()
        let b = localCache("b")
        let step = TestSteps.generate("h")
        for i in 0..<4 {
            try b.store(key: String(repeating: "e\(i)", count: 32), step: step, images: [TestPNG.make(width: 8, height: 8, seed: UInt8(i))],
                        usage: nil, requestID: nil, resolved: [:])
        }
        let warnings = Warnings()
        let remote = tier(WriteRefusingStore(remoteStore), local: b, warnings: warnings)
        for i in 0..<4 { remote.upload(String(repeating: "e\(i)", count: 32)) }
        await remote.waitForUploads()
        #expect(remote.stats.notUploaded == 4 && remote.stats.uploaded == 0, "\(remote.stats)")
        #expect(try await remote.fetch(key), "a refused upload stopped the look-ups")
        #expect(warnings.lines.count == 1 && warnings.lines[0].contains("uploads stop"), "\(warnings.lines)")
    }

    @Test func aGivenUpStoreFailsLookUpsWhenRequired() async throws {
        let required = tier(FaultyStore(fault: .refused), local: localCache("b"), required: true)
        await #expect(throws: RemoteStoreError.self) { _ = try await required.fetch(String(repeating: "aa", count: 32)) }
        await #expect(throws: RemoteStoreError.self) { _ = try await required.fetch(String(repeating: "bb", count: 32)) }
    }

    /// `kiln cache push` leaves a record the store has alone: a push without the signing key never
    /// replaces the signed ones.
    @Test func pushDoesNotReplaceRecordsTheStoreHas() async throws {
        let (key, _) = try await uploaded(signing: "team-secret-0123456789")
        let before = try await remoteStore.get(.action(key: key))
        let pusher = tier(remoteStore, local: localCache("a"))
        #expect(await pusher.push([key]) == 1)
        #expect(try await remoteStore.get(.action(key: key)) == before)
        #expect(try await tier(remoteStore, local: localCache("c"), signing: "team-secret-0123456789").fetch(key))
    }

    @Test func readOnlyNeverWrites() async throws {
        let a = localCache("a")
        let step = TestSteps.generate("g")
        try a.store(key: step.cacheKey, step: step, images: [TestPNG.make(width: 8, height: 8)], usage: nil,
                    requestID: nil, resolved: [:])
        var options = RemoteTier.Options()
        options.readOnly = true
        let tier = RemoteTier(backend: remoteStore, local: a, options: options)
        tier.upload(step.cacheKey)
        #expect(await tier.push([step.cacheKey]) == 0)
        await tier.waitForUploads()
        #expect(try await !remoteStore.contains(.action(key: step.cacheKey)))
        #expect(!FileManager.default.fileExists(atPath: remoteStore.root))
    }

    @Test func aStoreThatIsDownIsGivenUpAfterAFewFailuresWithOneWarning() async throws {
        let warnings = Warnings()
        let down = FaultyStore(fault: .down)
        let remote = tier(down, local: localCache("b"), warnings: warnings)
        for i in 0..<6 { #expect(try await !remote.fetch(String(repeating: "0\(i)", count: 32))) }
        #expect(remote.isGivenUp)
        #expect(down.calls.withLock { $0 } == 3 * 3, "3 look-ups of 3 tries each, then none")
        #expect(warnings.lines.count == 1, "\(warnings.lines)")
        #expect(warnings.lines.first?.contains("the build goes on without it") == true)
        #expect(remote.stats.errors == 6, "3 failed look-ups and 3 skipped once it was given up")
    }

    /// Each try is abandoned at the deadline (its operation cancelled), not waited for: proven by
    /// the store's own count, since wall time on a loaded machine proves nothing.
    @Test func aSlowStoreMissesWithinTheDeadline() async throws {
        let slow = FaultyStore(fault: .slow)
        let remote = tier(slow, local: localCache("b"), timeout: .milliseconds(300))
        #expect(try await !remote.fetch(String(repeating: "aa", count: 32)))
        #expect(slow.calls.withLock { $0 } == 3, "three tries")
        #expect(slow.abandoned.withLock { $0 } == 3, "a try ran to its end instead of being cut at the deadline")
        #expect(remote.stats.errors == 1)
    }

    @Test func aRefusingStoreIsGivenUpAtOnceAndRequiredTurnsFailuresIntoErrors() async throws {
        let refusing = tier(FaultyStore(fault: .refused), local: localCache("b"))
        #expect(try await !refusing.fetch(String(repeating: "aa", count: 32)))
        #expect(refusing.isGivenUp, "wrong credentials do not get better by retrying")

        let required = tier(FaultyStore(fault: .down), local: localCache("c"), required: true)
        await #expect(throws: RemoteStoreError.self) { _ = try await required.fetch(String(repeating: "aa", count: 32)) }
        #expect(required.failure != nil)
    }

    @Test(arguments: ["", "garbage", "kiln-remote-action 1\nsignature: none\n\nkiln-cache-entry 4 99999\n{}",
                      "kiln-remote-action 1\nsignature: none\n\n" + String(repeating: "x", count: 4000)])
    func garbageRecordsAreRejected(_ text: String) async throws {
        let store = FaultyStore(fault: .answers(Data(text.utf8)))
        let remote = tier(store, local: localCache("b"))
        #expect(try await !remote.fetch(String(repeating: "aa", count: 32)))
        #expect(remote.stats.rejected == 1 && remote.stats.hits == 0)
    }
}

/// Lines the tier warned with.
final class Warnings: Sendable {
    private let store = Mutex<[String]>([])
    func add(_ line: String) { store.withLock { $0.append(line) } }
    var lines: [String] { store.withLock { $0 } }
}

/// A store that fails one way on every call.
final class FaultyStore: CacheBackend {
    enum Fault: Sendable { case down, slow, refused, answers(Data) }
    let fault: Fault
    let calls = Mutex(0)
    /// Slow operations cancelled before they ended.
    let abandoned = Mutex(0)
    var name: String { "faulty" }

    init(fault: Fault) { self.fault = fault }

    private func fail() async throws -> Data? {
        calls.withLock { $0 += 1 }
        switch fault {
        case .down: throw RemoteStoreError(.unavailable, "faulty: connection refused")
        case .refused: throw RemoteStoreError(.refused, "faulty: 403 Forbidden")
        case .slow:
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                abandoned.withLock { $0 += 1 }
                throw error
            }
            return nil
        case let .answers(data): return data
        }
    }

    func contains(_ address: CacheAddress) async throws -> Bool { try await fail() != nil }
    func get(_ address: CacheAddress) async throws -> Data? { try await fail() }
    func put(_ data: Data, at address: CacheAddress) async throws { _ = try await fail() }
    func download(_ address: CacheAddress, to destination: URL) async throws -> Bool { try await fail() != nil }
    func upload(_ source: URL, range: Range<Int>?, to address: CacheAddress) async throws { _ = try await fail() }
}

/// A store that serves reads and refuses every write (credentials without PutObject).
final class WriteRefusingStore: CacheBackend {
    let inner: LocalDiskStore
    init(_ inner: LocalDiskStore) { self.inner = inner }
    var name: String { "read-only-credentials" }
    func contains(_ address: CacheAddress) async throws -> Bool { try await inner.contains(address) }
    func get(_ address: CacheAddress) async throws -> Data? { try await inner.get(address) }
    func download(_ address: CacheAddress, to destination: URL) async throws -> Bool { try await inner.download(address, to: destination) }
    func put(_ data: Data, at address: CacheAddress) async throws { throw RemoteStoreError(.refused, "403 Forbidden") }
    func upload(_ source: URL, range: Range<Int>?, to address: CacheAddress) async throws { throw RemoteStoreError(.refused, "403 Forbidden") }
}
