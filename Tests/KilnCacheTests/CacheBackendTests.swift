import Foundation
@testable import KilnCache
import KilnCore
import KilnTestSupport
import Testing

/// What every `CacheBackend` must do, written once so a remote backend can be held to the same
/// rules; run here against the local disk.
enum CacheBackendContract {
    static func check(_ backend: some CacheBackend, scratch: URL) async throws {
        let value = Data((0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let key = Digest.sha256("an action")
        let action = CacheAddress.action(key: key)
        #expect(try await !backend.contains(action))
        #expect(try await backend.get(action) == nil)

        try await backend.put(value, at: action)
        #expect(try await backend.contains(action))
        #expect(try await backend.get(action) == value)
        try await backend.put(Data("newer".utf8), at: action)
        #expect(try await backend.get(action) == Data("newer".utf8), "a put does not replace")

        let blob = CacheAddress.blob(sha256: Digest.sha256(value))
        try await backend.put(value, at: blob)
        #expect(try await backend.get(blob) == value)
        let wrong = CacheAddress.blob(sha256: Digest.sha256("something else"))
        await #expect(throws: CacheKeyError.self) { try await backend.put(value, at: wrong) }
        #expect(try await !backend.contains(wrong), "a blob under another digest was stored")

        for bad in [CacheAddress.action(key: "../../etc/passwd"), .action(key: "ABCDEF0123"), .blob(sha256: "abc")] {
            await #expect(throws: CacheKeyError.self) { try await backend.put(value, at: bad) }
            await #expect(throws: CacheKeyError.self) { _ = try await backend.get(bad) }
        }

        // Streaming through files: a value larger than one chunk, both ways.
        let large = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) })
        let source = scratch.appendingPathComponent("large.bin")
        try large.write(to: source)
        let largeBlob = CacheAddress.blob(sha256: Digest.sha256(large))
        try await backend.upload(source, to: largeBlob)
        let copy = scratch.appendingPathComponent("copy.bin")
        #expect(try await backend.download(largeBlob, to: copy))
        #expect(try Data(contentsOf: copy) == large)
        #expect(try await !backend.download(.action(key: Digest.sha256("never stored")), to: copy))
        #expect(try Data(contentsOf: copy) == large, "a missing value replaced the file")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "a download left \(leftovers)")
        await #expect(throws: CacheKeyError.self) { try await backend.upload(source, to: wrong) }
        #expect(try await !backend.contains(wrong))

        // The bytes `range` of a file (an image inside a format-3 entry); wrong bytes are refused,
        // and so is a range past the file's end.
        let inner = large[1000..<1_201_000]
        let innerBlob = CacheAddress.blob(sha256: Digest.sha256(inner))
        try await backend.upload(source, range: 1000..<1_201_000, to: innerBlob)
        #expect(try await backend.get(innerBlob) == Data(inner))
        await #expect(throws: CacheKeyError.self) { try await backend.upload(source, range: 1001..<1_201_001, to: wrong) }
        await #expect(throws: (any Error).self) { try await backend.upload(source, range: large.count - 10..<large.count + 10, to: wrong) }
        #expect(try await !backend.contains(wrong))
    }
}

@Suite struct CacheBackendTests {
    @Test func theLocalDiskStoreKeepsTheBackendContract() async throws {
        let root = TemporaryFolder.make("kiln-store")
        let store = LocalDiskStore(root: root.path)
        try await CacheBackendContract.check(store, scratch: TemporaryFolder.make("kiln-scratch"))
        #expect(PosixFile.names(in: store.tmpPath).isEmpty, "a temp file was left behind")
        let blobs = PosixFile.fanOut(store.blobsPath).map(\.name)  // the small value, the large one, and the range of it
        #expect(blobs.count == 3 && blobs.allSatisfy { CacheAddress.blob(sha256: $0).isValid })
    }

    @Test func theResultCacheStoresItsEntriesInItsStore() async throws {
        let cache = ResultCache(directory: TemporaryFolder.make("kiln-cache"))
        let step = TestSteps.generate("g")
        let image = TestPNG.make(width: 2, height: 2)
        try cache.store(key: step.cacheKey, step: step, images: [image], usage: nil, requestID: nil, resolved: [:])
        let entry = try #require(try await cache.store.get(.action(key: step.cacheKey)))
        let (record, start) = try #require(CacheEntryFile.record(in: entry))
        #expect(start == entry.count, "a format-4 entry holds only its record")
        #expect(try await cache.store.get(.blob(sha256: record.images[0].sha256)) == image)
        #expect(try await cache.store.contains(.action(key: step.cacheKey)) == cache.hasEntry(step.cacheKey))
    }

    /// A blob lives as long as an entry names it; one no entry names goes once it is older than a
    /// store's window between writing its blobs and its entry.
    @Test func gcRemovesOnlyBlobsNoEntryNamesOnceTheyAreOld() throws {
        let cache = ResultCache(directory: TemporaryFolder.make("kiln-cache"))
        let step = TestSteps.generate("g")
        let named = TestPNG.make(width: 2, height: 2, seed: 1)
        try cache.store(key: step.cacheKey, step: step, images: [named], usage: nil, requestID: nil, resolved: [:])
        let (old, fresh) = (Data("old".utf8), Data("fresh".utf8))
        for data in [old, fresh] { try cache.store.writeNow(data, at: .blob(sha256: Digest.sha256(data))) }
        let path = { (data: Data) in cache.store.path(for: .blob(sha256: Digest.sha256(data))) }
        for data in [old, named] {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -40 * 86_400)],
                                                  ofItemAtPath: path(data))
        }
        let report = try cache.collectGarbage(keepDays: 30, keepKeys: [])
        #expect(report.objectsRemoved == 1 && !FileManager.default.fileExists(atPath: path(old)))
        #expect(try cache.store.readNow(.blob(sha256: Digest.sha256(fresh))) == fresh, "a blob in its store window went")
        #expect(try cache.lookup(step.cacheKey)?.images == [named], "a blob an entry names went")
    }
}
