import Foundation
@testable import KilnCache
import KilnCore
import KilnTestSupport
import Synchronization
import Testing

/// What an upload asks the store and sends: an answer whose record the store lacks is sent without
/// a HEAD per image; an image the tier sent or fetched is not sent again; an answer whose record may
/// be there has each image asked for, and only the missing ones sent.
@Suite struct RemoteUploadTests {
    let root = TemporaryFolder.make("kiln-remote-upload")

    func localCache(_ name: String) -> ResultCache {
        ResultCache(directory: root.appendingPathComponent(name))
    }

    /// Stores an answer of `images` in `cache`; returns its key.
    @discardableResult
    func store(_ name: String, _ images: [Data], in cache: ResultCache) throws -> String {
        let step = TestSteps.generate(name, n: images.count)
        try cache.store(key: step.cacheKey, step: step, images: images, usage: nil, requestID: "req_\(name)",
                        resolved: [:], layout: .inline)
        return step.cacheKey
    }

    func tier(_ store: CountingStore, local: ResultCache) -> RemoteTier {
        var options = RemoteTier.Options()
        options.uploadConcurrency = 1
        return RemoteTier(backend: store, local: local, options: options)
    }

    let x = TestPNG.make(width: 16, height: 16, seed: 1)
    let y = TestPNG.make(width: 16, height: 16, seed: 2)
    let z = TestPNG.make(width: 16, height: 16, seed: 3)

    @Test func aPushAsksForEachRecordAndSendsTheImagesOfAnswersTheStoreLacksWithoutAsking() async throws {
        let local = localCache("a")
        try store("one", [x, y], in: local)
        try store("two", [z], in: local)
        let store = CountingStore(root: root.appendingPathComponent("remote").path)
        let pushed = await tier(store, local: local).push(local.keys().sorted())
        #expect(pushed == 2)
        #expect(store.count(.recordHEAD) == 2 && store.count(.imageHEAD) == 0, "\(store.calls)")
        #expect(store.count(.imagePUT) == 3 && store.count(.recordPUT) == 2, "\(store.calls)")

        // Pushed again by another process: the records are there, nothing is sent.
        let again = CountingStore(root: store.inner.root)
        #expect(await tier(again, local: local).push(local.keys().sorted()) == 2)
        #expect(again.count(.recordHEAD) == 2 && again.sent == 0, "\(again.calls)")
    }

    @Test func anImageTheTierSentIsNotSentAgainForAnotherAnswer() async throws {
        let local = localCache("a")
        // A candidate step's images and a pick that keeps one of them: the same bytes, two records.
        try store("candidates", [x, y], in: local)
        try store("pick", [y], in: local)
        let store = CountingStore(root: root.appendingPathComponent("remote").path)
        let remote = tier(store, local: local)
        #expect(await remote.push(local.keys().sorted()) == 2)
        #expect(store.count(.imagePUT) == 2 && store.count(.recordPUT) == 2, "y is sent once: \(store.calls)")
        #expect(store.count(.imageHEAD) == 0, "known without asking: \(store.calls)")
        #expect(remote.stats.blobsUploaded == 2)
    }

    @Test func aBuildsUploadOfAnAnswerItsLookUpMissedSendsTheImagesWithoutAsking() async throws {
        let local = localCache("a")
        let key = try store("new", [x, y], in: local)
        let store = CountingStore(root: root.appendingPathComponent("remote").path)
        let remote = tier(store, local: local)
        #expect(try await !remote.fetch(key))   // the build's look-up: a miss
        remote.upload(key)
        await remote.waitForUploads()
        #expect(store.count(.imageHEAD) == 0 && store.count(.imagePUT) == 2 && store.count(.recordPUT) == 1, "\(store.calls)")
    }

    @Test func anAnswerWhoseRecordMayBeThereHasEachImageAskedForAndOnlyTheMissingOnesSent() async throws {
        let local = localCache("a")
        let key = try store("again", [x, y], in: local)
        let store = CountingStore(root: root.appendingPathComponent("remote").path)
        try await store.inner.put(x, at: .blob(sha256: Digest.sha256(x)))
        let remote = tier(store, local: local)
        remote.upload(key)   // no look-up before: the store may have it
        await remote.waitForUploads()
        #expect(store.count(.imageHEAD) == 2, "\(store.calls)")
        #expect(store.uploaded == [Digest.sha256(y)], "only the missing image is sent: \(store.calls)")
        #expect(remote.stats.uploaded == 1 && remote.stats.blobsUploaded == 1)
    }

    @Test func anImageFetchedFromTheStoreIsNotSentBack() async throws {
        let a = localCache("a")
        let key = try store("shared", [x, y], in: a)
        let store = CountingStore(root: root.appendingPathComponent("remote").path)
        #expect(await tier(store, local: a).push([key]) == 1)

        // Another machine fetches the answer, then makes a pick of one of its images.
        let b = localCache("b")
        let other = CountingStore(root: store.inner.root)
        let remote = tier(other, local: b)
        #expect(try await remote.fetch(key))
        let pick = try self.store("pick", [x], in: b)
        #expect(try await !remote.fetch(pick))
        remote.upload(pick)
        await remote.waitForUploads()
        #expect(other.count(.imageHEAD) == 0 && other.count(.imagePUT) == 0 && other.count(.recordPUT) == 1, "\(other.calls)")
    }

    @Test func anImageTheStoreHoldsDamagedIsSentEvenWhenItAnswersHEAD() async throws {
        let a = localCache("a")
        let key = try store("damaged", [x, y], in: a)
        let store = CountingStore(root: root.appendingPathComponent("remote").path)
        #expect(await tier(store, local: a).push([key]) == 1)
        let blob = store.inner.path(for: .blob(sha256: Digest.sha256(y)))
        chmod(blob, 0o644)
        try z.write(to: URL(fileURLWithPath: blob))

        // Another machine finds the copy damaged, pays again, and its upload sends its own copy.
        let b = localCache("b")
        let other = CountingStore(root: store.inner.root)
        let remote = tier(other, local: b)
        #expect(try await !remote.fetch(key))
        try self.store("damaged", [x, y], in: b)
        remote.upload(key)
        await remote.waitForUploads()
        #expect(other.uploaded.contains(Digest.sha256(y)), "\(other.calls)")
        #expect(try Digest.sha256(fileAt: URL(fileURLWithPath: blob)) == Digest.sha256(y), "the store's copy was repaired")
    }
}

/// A folder store that records each call: HEADs and PUTs of records and images.
final class CountingStore: CacheBackend {
    enum Call: Hashable, Sendable { case recordHEAD, imageHEAD, recordPUT, imagePUT, get, download }
    let inner: LocalDiskStore
    private let log = Mutex<[(Call, String)]>([])
    var name: String { "counting" }

    init(root: String) { inner = LocalDiskStore(root: root) }

    var calls: [String] { log.withLock { $0.map { "\($0.0) \($0.1.prefix(8))" } } }
    func count(_ call: Call) -> Int { log.withLock { $0.filter { $0.0 == call }.count } }
    /// The digests of the images sent, in order.
    var uploaded: [String] { log.withLock { $0.filter { $0.0 == .imagePUT }.map(\.1) } }
    var sent: Int { count(.imagePUT) + count(.recordPUT) }

    private func record(_ call: Call, _ address: CacheAddress) { log.withLock { $0.append((call, address.name)) } }

    func contains(_ address: CacheAddress) async throws -> Bool {
        record(address.isBlob ? .imageHEAD : .recordHEAD, address)
        return try await inner.contains(address)
    }
    func get(_ address: CacheAddress) async throws -> Data? {
        record(.get, address)
        return try await inner.get(address)
    }
    func put(_ data: Data, at address: CacheAddress) async throws {
        record(address.isBlob ? .imagePUT : .recordPUT, address)
        try await inner.put(data, at: address)
    }
    func download(_ address: CacheAddress, to destination: URL) async throws -> Bool {
        record(.download, address)
        return try await inner.download(address, to: destination)
    }
    func upload(_ source: URL, range: Range<Int>?, to address: CacheAddress) async throws {
        record(address.isBlob ? .imagePUT : .recordPUT, address)
        try await inner.upload(source, range: range, to: address)
    }
}
