import Foundation
import KilnCore

/// What a cache backend stores: a step's answer under its action key (the cache key, a digest of
/// everything that decides the answer; the bytes are a `CacheEntryFile`), or a blob under the
/// SHA-256 of its own bytes.
public enum CacheAddress: Hashable, Sendable, CustomStringConvertible {
    case action(key: String)
    case blob(sha256: String)

    /// The key or digest: lowercase hex, which is all a backend may turn into a path or URL.
    public var name: String {
        switch self {
        case let .action(key): key
        case let .blob(digest): digest
        }
    }

    public var description: String {
        switch self {
        case let .action(key): "action \(key)"
        case let .blob(digest): "blob \(digest)"
        }
    }

    public var isBlob: Bool {
        if case .blob = self { true } else { false }
    }

    /// Whether the name is lowercase hex (8+ characters for a key, 64 for a digest).
    public var isValid: Bool {
        switch self {
        case let .action(key): key.utf8.count >= 8 && key.utf8.allSatisfy(Self.isLowerHex)
        case let .blob(digest): digest.utf8.count == 64 && digest.utf8.allSatisfy(Self.isLowerHex)
        }
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }
}

/// A place cache entries live: the local disk (`LocalDiskStore`) first; a shared remote store
/// (an HTTP or S3 cache) implements the same calls.
///
/// Rules every backend keeps:
/// - a reader sees a whole value or none (write elsewhere, then publish);
/// - `put` of a blob checks that the bytes have the digest they are stored under;
/// - an address whose name is not lowercase hex is refused (`CacheKeyError`), never turned into
///   a path or URL;
/// - the `download`/`upload` pair moves values through files, so a large value is never held in
///   memory whole.
public protocol CacheBackend: Sendable {
    /// A short name for messages (`local`, `s3://bucket/prefix`).
    var name: String { get }
    func contains(_ address: CacheAddress) async throws -> Bool
    /// The whole value, or nil when there is none.
    func get(_ address: CacheAddress) async throws -> Data?
    /// Stores `data`, replacing any earlier value.
    func put(_ data: Data, at address: CacheAddress) async throws
    /// Writes the value into the file `destination` (replacing it); false when there is none.
    func download(_ address: CacheAddress, to destination: URL) async throws -> Bool
    /// Stores the bytes of the file `source` — all of them, or the bytes `range` (an image inside
    /// a format-3 entry) — replacing any earlier value. Throws when the file ends before the range.
    func upload(_ source: URL, range: Range<Int>?, to address: CacheAddress) async throws
    /// Whether `download` of a blob checks the bytes against the blob's digest as they arrive (and
    /// refuses them otherwise), so a caller need not read the file again to check it.
    var verifiesBlobDownloads: Bool { get }
}

extension CacheBackend {
    public var verifiesBlobDownloads: Bool { false }

    /// Stores the whole file `source`.
    public func upload(_ source: URL, to address: CacheAddress) async throws {
        try await upload(source, range: nil, to: address)
    }
}
