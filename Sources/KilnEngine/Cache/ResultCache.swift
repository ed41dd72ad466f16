import Foundation
import KilnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Content-addressed results on disk, keyed by `PlannedStep.cacheKey`.
///
/// Layout under `directory` (default `.kiln/cache`):
/// - `objects/<2 hex>/<sha256>`: raw image bytes, named by their SHA-256 (shared by every key
///   whose answer holds the same image).
/// - `actions/<2 hex>/<cache key>.json`: the `CacheRecord` (canonical JSON, `version` 2), whose
///   `images` name object digests. Its mtime is the last time a build used it (`collectGarbage`).
/// - `tmp/<pid>-<random>`: files being written; `keys.lock`: one byte per key locked (`lock(_:)`).
/// - `last-build.json`: hits and misses of the last build (`recordLastBuild`).
///
/// Every file is written to `tmp/` and renamed into place, objects before the action that names
/// them, so an action never points at a missing object. No fsync: `kill -9` at any moment leaves
/// whole files only, and a power loss may lose the newest entry but never corrupts one a lookup
/// would accept, since a lookup checks every object against its digest. `store` is called the
/// moment a provider answers, before outputs are written, on a thread task cancellation cannot
/// interrupt (the engine's `BlockingIO`): an answer that was paid for is never thrown away.
public struct ResultCache: Sendable {
    /// The cache's root directory.
    public let directory: URL
    let root: String

    public init(directory: URL) {
        self.directory = directory
        root = directory.path
    }

    /// `.kiln/cache` under a project root.
    public static func defaultDirectory(projectRoot: URL) -> URL {
        projectRoot.appendingPathComponent(".kiln").appendingPathComponent("cache")
    }

    var objectsPath: String { root + "/objects" }
    var actionsPath: String { root + "/actions" }
    var tmpPath: String { root + "/tmp" }
    var keyLockPath: String { root + "/keys.lock" }
    /// Per-key lock files of Kiln before `keys.lock`; `collectGarbage` removes them.
    var legacyLocksPath: String { root + "/locks" }

    func objectPath(_ digest: String) -> String { objectsPath + "/" + digest.prefix(2) + "/" + digest }
    func actionPath(_ key: String) -> String { actionsPath + "/" + key.prefix(2) + "/" + key + ".json" }

    /// The stored result for `key`, or nil on a miss. A missing or damaged action, a record of
    /// another version, or a missing object is a miss; an object whose bytes no longer match its
    /// digest is deleted as well (the next store writes it again). A hit marks the action as used.
    /// Throws only when `key` is not a lowercase hex digest.
    public func lookup(_ key: String) throws -> CachedResult? {
        try Self.validate(key)
        let path = actionPath(key)
        guard let data = CacheFiles.read(path),
              let record = try? JSONDecoder().decode(CacheRecord.self, from: data),
              record.version == CacheRecord.currentVersion, record.cacheKey == key else { return nil }
        var images = [Data]()
        images.reserveCapacity(record.images.count)
        for image in record.images {
            guard Self.isDigest(image.sha256) else { return nil }
            let object = objectPath(image.sha256)
            guard let bytes = CacheFiles.read(object) else { return nil }
            guard Digest.sha256(bytes) == image.sha256 else {
                // Should another process rename a good copy in between the read and this unlink,
                // that copy goes too: the worst case is one more miss, never a wrong hit.
                unlink(object)
                return nil
            }
            images.append(bytes)
        }
        CacheFiles.touch(path)
        return CachedResult(record: record, images: images)
    }

    /// Stores a result: each image as an object (kept when an intact copy is already there), then
    /// the action entry, replacing any earlier entry for `key`. Returns the record written.
    /// Throws `EngineError(.writeFailed)` when a file cannot be written.
    @discardableResult
    /// - Parameter digests: the images' SHA-256 when the caller has them already (else computed).
    public func store(key: String, step: PlannedStep, images: [Data], digests: [String]? = nil, usage: Usage?,
                      requestID: String?, costUSD: Double? = nil, resolved: [String: String]) throws -> CacheRecord {
        try Self.validate(key)
        var stored = [CacheRecord.Image]()
        stored.reserveCapacity(images.count)
        for (i, data) in images.enumerated() {
            let digest = digests.flatMap { $0.indices.contains(i) ? $0[i] : nil } ?? Digest.sha256(data)
            let path = objectPath(digest)
            // Touching a reused object keeps a concurrent `collectGarbage` from taking it as unused.
            if CacheFiles.holds(data, at: path) {
                CacheFiles.touch(path)
            } else {
                try put(data, at: path)
            }
            stored.append(.init(sha256: digest, bytes: data.count, format: ImageFormat(sniffing: data)))
        }
        let record = CacheRecord(cacheKey: key, step: step.id, kind: step.kind, provider: step.provider,
                                 model: step.model, usage: usage, requestID: requestID, costUSD: costUSD,
                                 resolved: resolved,
                                 images: stored)
        try put(record.encoded(), at: actionPath(key))
        return record
    }

    /// Writes through `tmp/` and renames to `path`, making each folder once per process (and once
    /// more if it was removed since).
    func put(_ data: Data, at path: String) throws {
        let folders = [tmpPath, AtomicFile.split(path)?.directory ?? root]
        do {
            for folder in folders { try AtomicFile.ensureDirectory(path: folder) }
            try CacheFiles.write(data, to: path, tmp: tmpPath)
        } catch {
            for folder in folders {
                AtomicFile.forget(path: folder)
                try AtomicFile.ensureDirectory(path: folder)
            }
            try CacheFiles.write(data, to: path, tmp: tmpPath)
        }
    }

    /// Makes the 512 fan-out folders of `objects/` and `actions/` (and `tmp/`) unless the last of
    /// them exists: a first build would otherwise make them one by one as its answers arrive,
    /// hundreds in the same few milliseconds. Best effort: a store makes any folder still missing.
    public func prepareFolders() {
        let last = ["objects", "actions"].map { root + "/" + $0 + "/ff" }
        guard !last.allSatisfy({ CacheFiles.status($0) != nil }) else { return }
        for folder in [objectsPath, actionsPath] {
            for byte in 0..<256 {
                try? AtomicFile.ensureDirectory(path: folder + "/" + Self.hexByte(byte))
            }
        }
        try? AtomicFile.ensureDirectory(path: tmpPath)
    }

    private static func hexByte(_ byte: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[byte >> 4], digits[byte & 15]])
    }

    static func validate(_ key: String) throws {
        guard key.utf8.count >= 8, key.utf8.allSatisfy(isLowerHex) else {
            throw EngineError(.cacheCorrupt, "cache key '\(key)' is not a lowercase hex digest; re-plan the build")
        }
    }

    /// A SHA-256 in lowercase hex: the only names an object may have (a record is read from disk,
    /// so its digests are checked before they become paths).
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy(isLowerHex)
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102)
    }
}
