import Foundation
@testable import KilnCache
import KilnCore
import KilnTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The seal Kiln sets on each cache file it writes images into (`ImageSeal`): what it holds, when
/// an upload may trust it instead of hashing, and that the local cache sets it.
@Suite struct ImageSealTests {
    let image = TestPNG.make(width: 40, height: 40, seed: 9)

    /// Whether this machine's temp folder takes user extended attributes (ext4, XFS, and tmpfs since
    /// Linux 6.6 do). Where it does not, no seal is set and every upload hashes: the tests of the
    /// seal's presence do not apply there.
    static let attributesWork: Bool = {
        let folder = TemporaryFolder.make("kiln-seal-probe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fd = open(folder.appendingPathComponent("probe").path, O_WRONLY | O_CREAT, 0o644)
        defer { close(fd) }
        return fd >= 0 && ImageSeal([.init(digestStart: 1, checksum: 2)]).set(on: fd)
    }()

    static func seal(at path: String) -> ImageSeal? {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        return fd >= 0 ? ImageSeal.read(from: fd) : nil
    }

    func sealed(_ data: Data) -> ImageSeal.Image {
        data.withUnsafeBytes { ImageSeal.Image(sha256: Digest.sha256(data), bytes: $0) }
    }

    @Test func theEncodingRoundTripsAndNothingElseParses() {
        let seal = ImageSeal([sealed(image), .init(digestStart: 0x0102_0304_0506_0708, checksum: .max)])
        #expect(seal.checksum == .xxh3, "a new seal keeps XXH3")
        #expect(seal.encoded.count == 33, "the format byte, then 16 bytes an image")
        #expect(seal.encoded[0] == 2, "the second format")
        #expect(Array(seal.encoded[17..<25]) == [8, 7, 6, 5, 4, 3, 2, 1], "little-endian")
        #expect(ImageSeal(encoded: seal.encoded) == seal)
        #expect(seal.images[0].digestStart == UInt64(Digest.sha256(image).prefix(16), radix: 16))
        #expect(seal.images[0].checksum == image.withUnsafeBytes { XXH3.hash($0) })
        // (32 bytes, the seal less a byte, would be a first-format seal of two images.)
        let bad: [[UInt8]] = [[], [2], Array(seal.encoded.dropLast(2)), seal.encoded + [0], [3] + Array(seal.encoded.dropFirst()),
                              [2] + [UInt8](repeating: 1, count: 16 * 65), [UInt8](repeating: 1, count: 16 * 65)]
        for bad in bad {
            #expect(ImageSeal(encoded: bad) == nil, "\(bad.count) bytes, starting \(bad.first.map(String.init) ?? "-")")
        }
    }

    /// The first format (XXH64, no format byte), as a Kiln before the second wrote it: still read,
    /// and checked with XXH64.
    @Test func aSealOfTheFirstFormatIsReadAndCheckedWithXXH64() {
        let digest = Digest.sha256(image)
        let old = image.withUnsafeBytes { ImageSeal([ImageSeal.Image(sha256: digest, bytes: $0, checksum: .xxh64)], checksum: .xxh64) }
        #expect(old.encoded.count == 16, "16 bytes an image, nothing before them")
        #expect(old.images[0].checksum == image.withUnsafeBytes { XXH64.hash($0) })
        let read = ImageSeal(encoded: old.encoded)
        #expect(read == old)
        var damaged = image
        damaged[damaged.count - 1] ^= 0x80
        image.withUnsafeBytes { #expect(ImageSeal.digest(of: $0, sealedAs: read, expected: digest) == (digest, true)) }
        damaged.withUnsafeBytes {
            #expect(ImageSeal.digest(of: $0, sealedAs: read, expected: digest) == (Digest.sha256(damaged), false),
                    "a changed byte fails the first format's check too")
        }
        // The same checksum under the other format's name is not trusted: each is checked with its own.
        let mislabeled = ImageSeal(old.images, checksum: .xxh3)
        image.withUnsafeBytes { #expect(ImageSeal.digest(of: $0, sealedAs: mislabeled, expected: digest) == (digest, false)) }
    }

    /// Trusted only when it has an image of the digest being sent with the bytes' checksum; otherwise
    /// the bytes are hashed, so a damaged or misplaced file shows its real digest.
    @Test func anUploadTrustsASealOnlyForItsOwnDigestAndUnchangedBytes() {
        let digest = Digest.sha256(image)
        let other = TestPNG.make(width: 40, height: 40, seed: 10)
        var damaged = image
        damaged[damaged.count / 2] ^= 0x01
        let seal = ImageSeal([sealed(other), sealed(image)])
        image.withUnsafeBytes { bytes in
            #expect(ImageSeal.digest(of: bytes, sealedAs: seal, expected: digest) == (digest, true), "the second image of two")
            #expect(ImageSeal.digest(of: bytes, sealedAs: nil, expected: digest) == (digest, false), "no seal: hashed")
            let elsewhere = Digest.sha256(Data("elsewhere".utf8))
            #expect(ImageSeal.digest(of: bytes, sealedAs: ImageSeal([sealed(image)]), expected: elsewhere) == (digest, false),
                    "sealed bytes sent under another digest are hashed, and show their own")
            #expect(ImageSeal.digest(of: bytes, sealedAs: ImageSeal([sealed(other)]), expected: digest) == (digest, false),
                    "a seal of other images: hashed")
        }
        damaged.withUnsafeBytes { bytes in
            #expect(ImageSeal.digest(of: bytes, sealedAs: seal, expected: digest) == (Digest.sha256(damaged), false),
                    "one bit changed since the seal: hashed, and the digest is not the name")
        }
    }

    @Test(.enabled(if: attributesWork, "the temp folder takes no user extended attributes"))
    func theLocalCacheSealsTheImagesOfEveryFileItWrites() throws {
        let root = TemporaryFolder.make("kiln-seal")
        defer { try? FileManager.default.removeItem(at: root) }
        let cache = ResultCache(directory: root)
        let images = [image, TestPNG.make(width: 8, height: 8, seed: 1)]
        let blobs = TestSteps.generate("b", n: 2)
        let stored = try cache.store(key: blobs.cacheKey, step: blobs, images: images, usage: nil, requestID: nil, resolved: [:], layout: .blobs)
        for (path, bytes) in zip(try #require(stored.blobs), images) {
            #expect(Self.seal(at: path) == ImageSeal([sealed(bytes)]), "\(path)")
            // Sealed while still writable by its owner (a user attribute needs that), read-only after.
            let mode = try #require(PosixFile.status(path)).st_mode & 0o777
            #expect(mode & 0o222 == 0 && mode & 0o400 != 0, "a blob is read-only: \(String(mode, radix: 8))")
        }
        #expect(Self.seal(at: cache.entryPath(blobs.cacheKey)) == nil, "an entry that holds no image is not sealed")
        let inline = TestSteps.generate("i", n: 2)
        try cache.store(key: inline.cacheKey, step: inline, images: images, usage: nil, requestID: nil, resolved: [:], layout: .inline)
        #expect(Self.seal(at: cache.entryPath(inline.cacheKey)) == ImageSeal(images.map(sealed)), "an entry's images, in order")
        // A blob the store writes from bytes (a folder store's) is sealed too.
        let store = LocalDiskStore(root: root.appendingPathComponent("store").path)
        let other = TestPNG.make(width: 9, height: 9, seed: 2)
        try store.writeNow(other, at: .blob(sha256: Digest.sha256(other)))
        #expect(Self.seal(at: store.path(for: .blob(sha256: Digest.sha256(other)))) == ImageSeal([sealed(other)]))
    }
}
