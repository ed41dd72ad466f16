import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

/// The checks every remote backend must pass, run against each real server (nginx, moto).
enum BackendChecks {
    /// `count` random bytes (a value nothing else shares).
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            let word: UInt64 = generator.next()
            withUnsafeBytes(of: word) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes.prefix(count))
    }

    /// A fresh action key: 16 lowercase hex characters.
    static func newKey() -> String {
        String(Digest.sha256(randomBytes(16)).prefix(16))
    }

    /// Blobs and actions put, found, read back and replaced; a miss is nil/false and writes nothing.
    static func roundTrips(_ backend: any RemoteCacheBackend) async throws {
        let blob = randomBytes(1000)
        let blobAddress = CacheAddress.blob(sha256: Digest.sha256(blob))
        #expect(try await backend.contains(blobAddress) == false)
        try await backend.put(blob, at: blobAddress)
        #expect(try await backend.contains(blobAddress))
        #expect(try await backend.get(blobAddress) == blob)

        let action = CacheAddress.action(key: newKey())
        try await backend.put(Data("first".utf8), at: action)
        #expect(try await backend.get(action) == Data("first".utf8))
        try await backend.put(Data("second, longer".utf8), at: action)
        #expect(try await backend.get(action) == Data("second, longer".utf8), "a put replaces the value")
        #expect(try await backend.contains(action))

        let folder = TemporaryFolder.make("kiln-remote-miss")
        defer { try? FileManager.default.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("value")
        for missing in [CacheAddress.blob(sha256: Digest.sha256(randomBytes(32))), .action(key: newKey())] {
            #expect(try await backend.contains(missing) == false)
            #expect(try await backend.get(missing) == nil)
            #expect(try await backend.download(missing, to: destination) == false)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "a miss wrote a file")
    }

    /// A ~2 MB blob and an action through `upload` and `download`; `get` reads the same bytes, and a
    /// download replaces what the destination held.
    static func filesRoundTrip(_ backend: any RemoteCacheBackend) async throws -> (blob: CacheAddress, action: CacheAddress) {
        let folder = TemporaryFolder.make("kiln-remote-files")
        defer { try? FileManager.default.removeItem(at: folder) }
        let big = randomBytes(2_000_000 + 123)
        let source = folder.appendingPathComponent("source")
        try big.write(to: source)
        let blob = CacheAddress.blob(sha256: Digest.sha256(big))
        try await backend.upload(source, to: blob)
        let destination = folder.appendingPathComponent("copy")
        try Data("old contents".utf8).write(to: destination)
        #expect(try await backend.download(blob, to: destination))
        #expect(try Data(contentsOf: destination) == big)
        #expect(try await backend.get(blob) == big)

        // An image inside a format-3 entry: the bytes `range` of a file, not the file.
        let inner = randomBytes(1_000_000 + 7)
        let entry3 = folder.appendingPathComponent("entry3")
        try (randomBytes(777) + inner + randomBytes(33)).write(to: entry3)
        let innerBlob = CacheAddress.blob(sha256: Digest.sha256(inner))
        try await backend.upload(entry3, range: 777..<777 + inner.count, to: innerBlob)
        #expect(try await backend.get(innerBlob) == inner)
        try FileManager.default.removeItem(at: entry3)

        // Larger than `upload` reads whole: hashed, then streamed from the file (all of it, and a range).
        var huge = Data(count: 17 << 20)
        huge.replaceSubrange(0..<64, with: randomBytes(64))
        huge.replaceSubrange(huge.count - 64..<huge.count, with: randomBytes(64))
        try huge.write(to: entry3)
        let hugeBlob = CacheAddress.blob(sha256: Digest.sha256(huge))
        try await backend.upload(entry3, to: hugeBlob)
        #expect(try await backend.download(hugeBlob, to: destination))
        #expect(try Data(contentsOf: destination) == huge)
        let tail = huge[100...]
        let tailBlob = CacheAddress.blob(sha256: Digest.sha256(tail))
        try await backend.upload(entry3, range: 100..<huge.count, to: tailBlob)
        #expect(try await backend.download(tailBlob, to: destination))
        #expect(try Data(contentsOf: destination) == Data(tail))
        try FileManager.default.removeItem(at: entry3)

        let action = CacheAddress.action(key: newKey())
        let entry = randomBytes(300_000)
        try entry.write(to: source)
        try await backend.upload(source, to: action)
        #expect(try await backend.download(action, to: destination))
        #expect(try Data(contentsOf: destination) == entry)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["copy", "source"], "a temp file was left beside the destination")
        return (blob, action)
    }

    /// A blob whose bytes do not have its digest is refused with `CacheKeyError`, from memory and from
    /// a file, and nothing is stored under it.
    static func refusesMismatchedBlobs(_ backend: any RemoteCacheBackend) async throws -> CacheAddress {
        let claimed = CacheAddress.blob(sha256: Digest.sha256(randomBytes(64)))
        await #expect(throws: CacheKeyError.self) { try await backend.put(randomBytes(64), at: claimed) }
        let folder = TemporaryFolder.make("kiln-remote-mismatch")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("other")
        try randomBytes(64).write(to: file)
        await #expect(throws: CacheKeyError.self) { try await backend.upload(file, to: claimed) }
        // A range of a file: the wrong bytes, and a range past the file's end (the body would be
        // short of its Content-Length).
        await #expect(throws: CacheKeyError.self) { try await backend.upload(file, range: 8..<40, to: claimed) }
        await #expect(throws: (any Error).self) { try await backend.upload(file, range: 32..<100, to: claimed) }
        #expect(try await backend.contains(claimed) == false)
        return claimed
    }

    /// 24 values put and read back at once (the pool's connections shared by concurrent transfers).
    static func manyAtOnce(_ backend: any RemoteCacheBackend) async throws {
        let values = (0..<24).map { _ in randomBytes(50_000) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for value in values {
                group.addTask {
                    let address = CacheAddress.blob(sha256: Digest.sha256(value))
                    try await backend.put(value, at: address)
                    #expect(try await backend.get(address) == value)
                }
            }
            try await group.waitForAll()
        }
    }

    /// The errors of `contains`, `get` and `put` of the blob `data` (nil for a call that did not
    /// throw a `RemoteStoreError`, which fails the test).
    static func failures(_ backend: any RemoteCacheBackend, _ data: Data) async -> [RemoteStoreError?] {
        let address = CacheAddress.blob(sha256: Digest.sha256(data))
        let calls: [() async throws -> Void] = [{ _ = try await backend.contains(address) },
                                                { _ = try await backend.get(address) },
                                                { try await backend.put(data, at: address) }]
        var errors: [RemoteStoreError?] = []
        for call in calls {
            errors.append(await #expect(throws: RemoteStoreError.self) { try await call() })
        }
        return errors
    }
}
