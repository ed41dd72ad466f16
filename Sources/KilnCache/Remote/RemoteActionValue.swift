import Crypto
import Foundation
import KilnCore

/// What a remote cache holds under `ac/<key>`: the answer's record (a format-4 cache entry: the
/// record naming its images, which live under `cas/<sha256>`), behind two lines that say what it
/// is and how it is signed:
///
/// ```
/// kiln-remote-action 1
/// signature: hmac-sha256 <hex>      (or: signature: none)
///
/// kiln-cache-entry 4 <n>
/// {…record…}
/// ```
///
/// With a signing key (`KILN_CACHE_SIGNING_KEY`), the signature is HMAC-SHA256 over the first line,
/// the cache key and the entry, so a writer without the key can neither forge a record nor move a
/// signed one to another key; a reader with the key refuses any other.
public enum RemoteActionValue {
    static let magic = "kiln-remote-action 1\n"
    /// The most an action value may be: a record is a few kilobytes.
    public static let maxBytes = 1 << 20

    /// A signing key: at least 16 bytes of secret text, shared by the writers and readers of a team.
    public struct SigningKey: Sendable {
        let key: SymmetricKey

        /// Nil when `text` is shorter than 16 bytes (a key that short can be guessed).
        public init?(_ text: String) {
            let bytes = Data(text.utf8)
            guard bytes.count >= 16 else { return nil }
            key = SymmetricKey(data: bytes)
        }

        func signature(key cacheKey: String, entry: Data, magic: String = RemoteActionValue.magic) -> String {
            var mac = HMAC<SHA256>(key: key)
            mac.update(data: Data(magic.utf8))
            mac.update(data: Data(cacheKey.utf8))
            mac.update(data: Data("\n".utf8))
            mac.update(data: entry)
            return Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Why a value was not used.
    public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case unsigned
        case badSignature
        case otherKey

        public var description: String {
            switch self {
            case .malformed: "it is not a Kiln action record"
            case .unsigned: "it is not signed, and KILN_CACHE_SIGNING_KEY is set"
            case .badSignature: "its signature is wrong (written without this KILN_CACHE_SIGNING_KEY, or altered)"
            case .otherKey: "it is the record of another cache key"
            }
        }
    }

    /// The value for `record` (a format-4 record: its images are blobs), signed when `signing` is set.
    public static func encode(_ record: CacheRecord, signing: SigningKey?) -> Data {
        var record = record
        record.version = CacheEntryFile.version
        let entry = CacheEntryFile.encode(record)
        let signature = signing.map { "hmac-sha256 " + $0.signature(key: record.cacheKey, entry: entry) } ?? "none"
        var value = Data((magic + "signature: \(signature)\n\n").utf8)
        value.append(entry)
        return value
    }

    /// The record in `value`, checked: the format, the signature when `signing` is set, and that it
    /// is the record of `key` with at least one image, each named by a digest.
    public static func decode(_ value: Data, key: String, signing: SigningKey?) throws(Rejection) -> CacheRecord {
        guard value.count <= maxBytes else { throw .malformed }
        let bytes = [UInt8](value)
        guard bytes.starts(with: Array(magic.utf8)) else { throw .malformed }
        var i = magic.utf8.count
        guard let lineEnd = bytes[i...].firstIndex(of: 0x0A), lineEnd + 1 < bytes.count, bytes[lineEnd + 1] == 0x0A else {
            throw .malformed
        }
        let line = String(decoding: bytes[i..<lineEnd], as: UTF8.self)
        i = lineEnd + 2
        let entry = Data(bytes[i...])
        guard line.hasPrefix("signature: ") else { throw .malformed }
        let signature = String(line.dropFirst("signature: ".count))
        if let signing {
            guard signature.hasPrefix("hmac-sha256 ") else { throw .unsigned }
            let expected = signing.signature(key: key, entry: entry)
            guard constantTimeEqual(Array(signature.dropFirst("hmac-sha256 ".count).utf8), Array(expected.utf8)) else {
                throw .badSignature
            }
        }
        guard let (record, payloadStart) = CacheEntryFile.record(in: entry), payloadStart == entry.count,
              record.version == CacheEntryFile.version, !record.images.isEmpty,
              record.images.allSatisfy({ CacheAddress.blob(sha256: $0.sha256).isValid && $0.bytes >= 0 }) else {
            throw .malformed
        }
        guard record.cacheKey == key else { throw .otherKey }
        return record
    }

    // MARK: - Other values beside the records

    static let sealedMagic = "kiln-remote-value 1\n"

    /// A small value Kiln keeps beside the records (a batch's record, a hold), under the same
    /// header and signed the same way over its address and bytes — but with its own first line, so
    /// neither can pass for the other.
    public static func seal(_ payload: Data, address: String, signing: SigningKey?) -> Data {
        let signature = signing.map { "hmac-sha256 " + $0.signature(key: address, entry: payload, magic: sealedMagic) } ?? "none"
        var value = Data((sealedMagic + "signature: \(signature)\n\n").utf8)
        value.append(payload)
        return value
    }

    /// The payload of a value `seal` made for `address`, its signature checked when `signing` is set.
    public static func unseal(_ value: Data, address: String, signing: SigningKey?) throws(Rejection) -> Data {
        guard value.count <= maxBytes * 64 else { throw .malformed }
        let bytes = [UInt8](value)
        guard bytes.starts(with: Array(sealedMagic.utf8)) else { throw .malformed }
        let start = sealedMagic.utf8.count
        guard let lineEnd = bytes[start...].firstIndex(of: 0x0A), lineEnd + 1 < bytes.count, bytes[lineEnd + 1] == 0x0A else {
            throw .malformed
        }
        let line = String(decoding: bytes[start..<lineEnd], as: UTF8.self)
        let payload = Data(bytes[(lineEnd + 2)...])
        guard line.hasPrefix("signature: ") else { throw .malformed }
        if let signing {
            let signature = String(line.dropFirst("signature: ".count))
            guard signature.hasPrefix("hmac-sha256 ") else { throw .unsigned }
            let expected = signing.signature(key: address, entry: payload, magic: sealedMagic)
            guard constantTimeEqual(Array(signature.dropFirst("hmac-sha256 ".count).utf8), Array(expected.utf8)) else {
                throw .badSignature
            }
        }
        return payload
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
