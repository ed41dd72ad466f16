import Crypto
import Foundation

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

    /// Hashes a file without holding more than a chunk of it in memory.
    public static func sha256(fileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
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
