import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An upload checks an image the local cache sealed (`ImageSeal`) by the seal's checksum instead of its
/// SHA-256, and still never sends a damaged or misplaced copy. Both kinds of backend, at a dead
/// port (`RemoteStoreRulesTests`): a `CacheKeyError` shows the upload was refused before any
/// request; `.unavailable` shows it passed the check and went out. Each with the file in memory
/// (read on the calling task) and dropped from the page cache first (read on the I/O queue).
@Suite struct SealedUploadTests {
    /// With `fromDisk`, drops the file from the page cache, so the upload cannot read it from memory.
    func ready(_ file: URL, fromDisk: Bool) {
        if fromDisk { PageCache.evict(file.path, check: false) }
    }

    /// The seal of `bytes` in the format `checksum` names (`.xxh64`: as a Kiln before XXH3 wrote it).
    func seal(_ bytes: Data, _ digest: String, _ checksum: ImageSeal.Checksum) -> ImageSeal {
        bytes.withUnsafeBytes { ImageSeal([ImageSeal.Image(sha256: digest, bytes: $0, checksum: checksum)], checksum: checksum) }
    }

    /// Each format of the seal: XXH3, and XXH64 as a cache written by an older Kiln holds it.
    @Test(arguments: [false, true], [ImageSeal.Checksum.xxh3, .xxh64])
    func aSealedBlobIsSentOnlyUnchangedAndUnderItsOwnName(fromDisk: Bool, checksum: ImageSeal.Checksum) async throws {
        let folder = TemporaryFolder.make("kiln-sealed-upload")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = LocalDiskStore(root: folder.path)
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
        let digest = Digest.sha256(bytes)
        try store.writeNow(bytes, at: .blob(sha256: digest))
        let blob = URL(fileURLWithPath: store.path(for: .blob(sha256: digest)))
        if checksum != .xxh3 {
            // A user attribute needs a file its owner may write.
            chmod(blob.path, 0o644)
            let fd = open(blob.path, O_RDONLY)
            seal(bytes, digest, checksum).set(on: fd)
            close(fd)
            chmod(blob.path, 0o444)
        }
        let sealedAs = seal(at: blob.path)
        #expect(sealedAs == nil || sealedAs == seal(bytes, digest, checksum), "the blob has the seal under test (where the filesystem sets one)")
        // The same file, seal and all, copied under another blob's name.
        let other = CacheAddress.blob(sha256: Digest.sha256(Data("another image".utf8)))
        let misplaced = folder.appendingPathComponent("misplaced")
        try PosixFile.write(bytes, to: misplaced.path, tmp: folder.path, label: "test",
                            seal: seal(bytes, digest, checksum))

        for backend in try RemoteStoreRulesTests.backends() {
            ready(blob, fromDisk: fromDisk)
            let sent = await #expect(throws: RemoteStoreError.self) { try await backend.upload(blob, to: .blob(sha256: digest)) }
            #expect(sent?.kind == .unavailable, "the intact blob was checked and sent: \(String(describing: sent))")
            ready(misplaced, fromDisk: fromDisk)
            await #expect(throws: CacheKeyError.self) { try await backend.upload(misplaced, to: other) }
            try await backend.shutdown()
        }

        // One byte changed in place: same size, same file, its seal still on it.
        let before = seal(at: blob.path)
        chmod(blob.path, 0o644)
        let fd = open(blob.path, O_WRONLY)
        var byte: UInt8 = bytes[150_000] ^ 0x20
        #expect(fd >= 0 && pwrite(fd, &byte, 1, 150_000) == 1)
        close(fd)
        #expect(seal(at: blob.path) == before, "the change left the seal (if the filesystem set one) in place")
        for backend in try RemoteStoreRulesTests.backends() {
            ready(blob, fromDisk: fromDisk)
            let refused = await #expect(throws: CacheKeyError.self) { try await backend.upload(blob, to: .blob(sha256: digest)) }
            #expect(refused?.description.contains("does not have the digest \(digest)") == true, "\(String(describing: refused))")
            try await backend.shutdown()
        }
    }

    /// The same for an image inside an entry that holds its images (sent as a range of the file).
    @Test(arguments: [false, true])
    func anImageInsideASealedEntryIsSentOnlyUnchanged(fromDisk: Bool) async throws {
        let folder = TemporaryFolder.make("kiln-sealed-upload")
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = ResultCache(directory: folder)
        let step = TestSteps.generate("g", n: 2)
        let images = [TestPNG.make(width: 64, height: 64, seed: 3), TestPNG.make(width: 64, height: 64, seed: 4)]
        try cache.store(key: step.cacheKey, step: step, images: images, usage: nil, requestID: nil, resolved: [:], layout: .inline)
        let entry = try #require(cache.unverifiedEntry(step.cacheKey))
        let second = CacheAddress.blob(sha256: entry.record.images[1].sha256)
        let file = URL(fileURLWithPath: entry.files[1].path), range = try #require(entry.files[1].range)
        for backend in try RemoteStoreRulesTests.backends() {
            ready(file, fromDisk: fromDisk)
            let sent = await #expect(throws: RemoteStoreError.self) { try await backend.upload(file, range: range, to: second) }
            #expect(sent?.kind == .unavailable, "the intact image was checked and sent: \(String(describing: sent))")
            // The first image's bytes under the second's name: refused.
            ready(file, fromDisk: fromDisk)
            await #expect(throws: CacheKeyError.self) { try await backend.upload(file, range: try #require(entry.files[0].range), to: second) }
            try await backend.shutdown()
        }
        let fd = open(file.path, O_RDWR), at = off_t(range.lowerBound + range.count / 2)
        var byte: UInt8 = 0
        #expect(fd >= 0 && pread(fd, &byte, 1, at) == 1)
        byte ^= 0xff
        #expect(pwrite(fd, &byte, 1, at) == 1)
        close(fd)
        for backend in try RemoteStoreRulesTests.backends() {
            ready(file, fromDisk: fromDisk)
            await #expect(throws: CacheKeyError.self) { try await backend.upload(file, range: range, to: second) }
            try await backend.shutdown()
        }
    }

    func seal(at path: String) -> ImageSeal? {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return fd >= 0 ? ImageSeal.read(from: fd) : nil
    }
}
