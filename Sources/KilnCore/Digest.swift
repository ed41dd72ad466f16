import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 digests as lowercase hex, the one hash Kiln uses for files, cache keys and outputs.
public enum Digest {
    public static func sha256(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    public static func sha256(_ string: String) -> String {
        var string = string
        // Hash the UTF-8 bytes in place when the string is contiguous (almost always).
        return string.withUTF8 { bytes in hex(SHA256.hash(data: UnsafeRawBufferPointer(bytes))) }
    }

    /// Hashes a file, or the bytes `range` of it, through one 1 MiB buffer (read with `pread`, so
    /// no chunk is allocated, zeroed or copied again). Throws when the file cannot be read or ends
    /// before the range does.
    public static func sha256(fileAt url: URL, range: Range<Int>? = nil) throws -> String {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var offset = range?.lowerBound ?? 0
        let end = range?.upperBound ?? .max
        while offset < end {
            let n = pread(fd, buffer.baseAddress, min(chunk, end - offset), off_t(offset))
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            if n == 0 {
                guard range == nil else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path]) }
                break
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += n
        }
        return hex(hasher.finalize())
    }

    /// SHA-256 taken piece by piece, as bytes arrive (an answer hashed while it is decoded).
    public struct Running: Sendable {
        private var hasher = SHA256()

        public init() {}

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            hasher.update(bufferPointer: bytes)
        }

        /// The lowercase hex digest of everything given to `update`.
        public func finish() -> String {
            Digest.hex(hasher.finalize())
        }
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
