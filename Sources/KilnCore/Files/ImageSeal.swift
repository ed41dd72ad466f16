import CKilnFiles
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What Kiln notes on each cache file it writes images into (a blob, or an entry that holds its
/// images), from bytes whose SHA-256 it knows: an extended attribute, `user.kiln.seal`, with each
/// image's checksum beside the start of its digest.
///
/// An upload must never send a damaged local copy, so it hashed every byte it sent with SHA-256:
/// two fifths of a push's CPU. With a seal it checks the bytes' checksum instead: bytes changed
/// since they were written (a disk error, an edit in place, a truncation) fail it as surely; a
/// file put under another image's name fails the digest's start. A file without a seal (a
/// filesystem without user attributes, a copy that dropped them, a downloaded blob) is hashed
/// whole, as before. Setting a seal is best effort: where it cannot be set, nothing else changes.
///
/// The checksum is XXH3 (`XXH3`, ~55 GB/s here) since the seal's second format; the first kept
/// XXH64 (~13 GB/s: still a fifth of a push's user time), and a seal of that format is still read
/// and checked with it. Stored as 16 bytes an image (the digest's first 8, the checksum), after a
/// format byte in the second format, so a one- or two-image seal fits inside an ext4 inode and
/// costs no block of its own. A Kiln that knows only the first format finds no seal it can read in
/// the second, and hashes the file whole.
package struct ImageSeal: Equatable, Sendable {
    /// The checksum a seal keeps of each image.
    package enum Checksum: Equatable, Sendable {
        /// The first format's (read, never written).
        case xxh64
        case xxh3

        package func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
            switch self {
            case .xxh64: XXH64.hash(bytes)
            case .xxh3: XXH3.hash(bytes)
            }
        }
    }

    package struct Image: Equatable, Sendable {
        /// The first 16 hex digits of the image's SHA-256, as a number.
        package var digestStart: UInt64
        package var checksum: UInt64

        /// The seal of `bytes`, whose SHA-256 the caller has checked to be `sha256`.
        package init(sha256: String, bytes: UnsafeRawBufferPointer, checksum kind: Checksum = .xxh3) {
            digestStart = ImageSeal.digestStart(sha256) ?? 0
            checksum = kind.of(bytes)
        }

        package init(digestStart: UInt64, checksum: UInt64) {
            self.digestStart = digestStart
            self.checksum = checksum
        }
    }

    package var images: [Image]
    package var checksum: Checksum

    package static let attribute = "user.kiln.seal"
    /// The most images a seal read back may hold (a candidate step's answer has at most 10).
    static let maxImages = 64
    /// The byte the second format starts with (the first has none: 16 bytes an image).
    static let xxh3Format: UInt8 = 2

    package init(_ images: [Image], checksum: Checksum = .xxh3) {
        self.images = images
        self.checksum = checksum
    }

    /// The seal of one image (a blob).
    package init(sha256: String, bytes: UnsafeRawBufferPointer) {
        self.init([Image(sha256: sha256, bytes: bytes)])
    }

    /// The format byte (XXH3 only), then 16 bytes an image: the digest's start, then the
    /// checksum, each little-endian.
    package var encoded: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(1 + 16 * images.count)
        if checksum == .xxh3 { out.append(Self.xxh3Format) }
        for image in images {
            withUnsafeBytes(of: image.digestStart.littleEndian) { out += $0 }
            withUnsafeBytes(of: image.checksum.littleEndian) { out += $0 }
        }
        return out
    }

    package init?(encoded: some Collection<UInt8>) {
        var bytes = Array(encoded)
        switch bytes.count % 16 {
        case 0: checksum = .xxh64
        case 1 where bytes.first == Self.xxh3Format:
            checksum = .xxh3
            bytes.removeFirst()
        default: return nil
        }
        guard !bytes.isEmpty, bytes.count / 16 <= Self.maxImages else { return nil }
        images = stride(from: 0, to: bytes.count, by: 16).map { at in
            bytes.withUnsafeBytes { raw in
                Image(digestStart: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)),
                      checksum: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self)))
            }
        }
    }

    /// Sets the seal on the open file `fd`; false when the filesystem does not take it.
    @discardableResult
    package func set(on fd: Int32) -> Bool {
        encoded.withUnsafeBytes { kiln_fsetxattr(fd, Self.attribute, $0.baseAddress, $0.count) == 0 }
    }

    /// The seal on the open file `fd`, or nil when it has none (or one that does not parse).
    package static func read(from fd: Int32) -> ImageSeal? {
        var value = [UInt8](repeating: 0, count: 1 + 16 * maxImages)
        let count = value.withUnsafeMutableBytes { kiln_fgetxattr(fd, attribute, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return ImageSeal(encoded: value[..<count])
    }

    /// The SHA-256 of `bytes`, an image about to be sent as `expected`: `expected` itself when the
    /// file's `seal` has an image of that digest with the bytes' checksum, else the bytes hashed.
    /// `bySeal` says which.
    package static func digest(of bytes: UnsafeRawBufferPointer, sealedAs seal: ImageSeal?,
                               expected: String) -> (sha256: String, bySeal: Bool) {
        if let seal, let start = digestStart(expected), seal.images.contains(where: { $0.digestStart == start }),
           seal.images.contains(Image(digestStart: start, checksum: seal.checksum.of(bytes))) {
            return (expected, true)
        }
        return (Digest.sha256(bytes), false)
    }

    /// The first 16 hex digits of a digest as a number; nil when they are not hex.
    static func digestStart(_ sha256: String) -> UInt64? {
        guard sha256.utf8.count >= 16 else { return nil }
        return UInt64(sha256.prefix(16), radix: 16)
    }
}
