import Foundation
import KilnCache
import KilnCore
import NIOCore

/// The value an upload sends, read from its file and checked (see `RemoteStore.upload`).
struct UploadRead: Sendable {
    let source: URL
    let range: Range<Int>?
    let address: CacheAddress
    let buffers: BufferPool

    /// The largest value an upload reads whole: 16 MiB, well above an image (~2 MB), so sixteen
    /// uploads at once hold at most 256 MiB.
    static let wholeReadLimit = 16 << 20

    /// The value's SHA-256 (its seal's word for it, or hashed), the bytes of the file it is, and
    /// those bytes in a buffer (nil for a value over `wholeReadLimit`, streamed from the file).
    struct Value: Sendable {
        var sha256: String
        var bytes: Range<Int>
        var buffer: ByteBuffer?
    }

    /// The value when every byte of it is in memory already; nil when any is not, or when opening
    /// the file fails (`fromDisk` then reads it, and throws what it meets).
    func fromMemory() -> Value? {
        guard let file = try? FileChunks.OpenFile(source.path), let bytes = try? range ?? 0..<file.size(),
              bytes.count <= Self.wholeReadLimit else { return nil }
        var buffer = buffers.take(capacity: bytes.count)
        guard file.readCached(bytes.count, at: bytes.lowerBound, into: &buffer) else {
            buffers.give(buffer)
            return nil
        }
        return checked(buffer, bytes, file)
    }

    /// The value read the usual way (blocking: call it off the cooperative pool).
    func fromDisk() throws -> Value {
        let file = try FileChunks.OpenFile(source.path)
        let bytes = try range ?? 0..<file.size()
        guard bytes.count <= Self.wholeReadLimit else {
            return Value(sha256: try Digest.sha256(fileAt: source, range: bytes), bytes: bytes, buffer: nil)
        }
        var buffer = buffers.take(capacity: bytes.count)
        try file.read(bytes.count, at: bytes.lowerBound, into: &buffer)
        return checked(buffer, bytes, file)
    }

    private func checked(_ buffer: ByteBuffer, _ bytes: Range<Int>, _ file: FileChunks.OpenFile) -> Value {
        let seal = address.isBlob ? ImageSeal.read(from: file.descriptor) : nil
        let sha256 = buffer.withUnsafeReadableBytes { ImageSeal.digest(of: $0, sealedAs: seal, expected: address.name).sha256 }
        return Value(sha256: sha256, bytes: bytes, buffer: buffer)
    }
}
