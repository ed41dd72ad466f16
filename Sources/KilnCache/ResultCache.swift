import Foundation
import KilnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Results on disk, keyed by `PlannedStep.cacheKey` (a hash of everything that decides the answer).
///
/// Layout under `directory` (default `.kiln/cache`):
/// - `actions/<2 hex>/<cache key>.entry`: one file per stored answer (`CacheEntryFile`, format 3):
///   the `CacheRecord`, then the image bytes. Its mtime is the last time a build used it
///   (`collectGarbage`).
/// - `actions/<2 hex>/<cache key>.json` + `objects/<2 hex>/<sha256>`: format 2 (Kiln before entry
///   files). Never read: `oldFormatNotice()` reports such a cache once, and `collectGarbage` removes it.
/// - `tmp/<pid>-<n>`: files being written; `keys.lock`: one byte per key locked (`lock(_:)`).
/// - `last-build.json`: hits and misses of the last build (`recordLastBuild`).
///
/// Every file is written to `tmp/` and renamed into place, so a reader sees a whole entry or none.
/// No fsync: `kill -9` at any moment leaves whole files only, and a power loss may lose the newest
/// entry but never corrupts one a lookup would accept, since a lookup checks every image against
/// its digest. `store` is called the moment a provider answers, before outputs are written, on a
/// thread task cancellation cannot interrupt (the engine's `BlockingIO`): an answer that was paid
/// for is never thrown away.
public struct ResultCache: Sendable {
    /// The cache's root directory.
    public let directory: URL
    /// Where the entries are: the local disk.
    public let store: LocalDiskStore
    package var root: String { store.root }

    public init(directory: URL) {
        self.directory = directory
        store = LocalDiskStore(root: directory.path)
    }

    /// `.kiln/cache` under a project root.
    public static func defaultDirectory(projectRoot: URL) -> URL {
        projectRoot.appendingPathComponent(".kiln").appendingPathComponent("cache")
    }

    /// Images of format 2 (Kiln before entry files), never read; `collectGarbage` removes them.
    package var formatTwoObjectsPath: String { root + "/objects" }
    package var actionsPath: String { store.actionsPath }
    package var tmpPath: String { store.tmpPath }
    package var keyLockPath: String { root + "/keys.lock" }
    /// Per-key lock files of Kiln before `keys.lock`; `collectGarbage` removes them.
    package var legacyLocksPath: String { root + "/locks" }

    /// The format-3 entry for `key` (`CacheEntryFile`).
    package func entryPath(_ key: String) -> String {
        store.path(for: .action(key: key))
    }

    /// The stored result for `key`, or nil on a miss. A missing or damaged entry is a miss; an
    /// entry whose images no longer match their digests is deleted as well (the next store writes
    /// it again). A hit marks the entry as used. Throws only when `key` is not a lowercase hex digest.
    public func lookup(_ key: String) throws -> CachedResult? {
        try Self.validate(key)
        let path = entryPath(key)
        if let data = try store.readNow(.action(key: key)) {
            if let (record, start) = CacheEntryFile.record(in: data), record.cacheKey == key,
               let images = CacheEntryFile.images(in: data, record: record, payloadStart: start) {
                PosixFile.touch(path)
                return CachedResult(record: record, images: images)
            }
            // Damaged (a power loss, a disk error): it can never be used. Should another process
            // rename a good copy in between the read and this unlink, that copy goes too: the worst
            // case is one more miss, never a wrong hit.
            unlink(path)
        }
        return nil
    }

    /// Stores a result as one entry file (`CacheEntryFile`: the record, then the image bytes),
    /// replacing any earlier entry for `key`. Returns the record written.
    /// Throws `FileError` when the file cannot be written.
    /// - Parameter digests: the images' SHA-256 when the caller has them already (else computed).
    @discardableResult
    public func store(key: String, step: PlannedStep, images: [Data], digests: [String]? = nil, usage: Usage?,
                      requestID: String?, costUSD: Double? = nil, resolved: [String: String]) throws -> CacheRecord {
        try Self.validate(key)
        let stored = images.enumerated().map { i, data in
            CacheRecord.Image(sha256: digests.flatMap { $0.indices.contains(i) ? $0[i] : nil } ?? Digest.sha256(data),
                              bytes: data.count, format: ImageFormat(sniffing: data))
        }
        let record = CacheRecord(cacheKey: key, step: step.id, kind: step.kind, provider: step.provider,
                                 model: step.model, usage: usage, requestID: requestID, costUSD: costUSD,
                                 resolved: resolved, images: stored)
        try store.writeNow(CacheEntryFile.encode(record, images: images), at: .action(key: key))
        return record
    }

    /// Writes a file under the cache's root through `tmp/`.
    package func put(_ data: Data, at path: String) throws {
        try store.writeFile(data, to: path)
    }

    /// Makes the 256 fan-out folders of `actions/` (and `tmp/`) unless the last of them exists: a
    /// first build would otherwise make them one by one as its answers arrive, hundreds in the same
    /// few milliseconds. Best effort: a store makes any folder still missing.
    public func prepareFolders() {
        guard PosixFile.status(actionsPath + "/ff") == nil else { return }
        for byte in 0..<256 {
            try? AtomicFile.ensureDirectory(path: actionsPath + "/" + Self.hexByte(byte))
        }
        try? AtomicFile.ensureDirectory(path: tmpPath)
    }

    private static func hexByte(_ byte: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[byte >> 4], digits[byte & 15]])
    }

    package static func validate(_ key: String) throws {
        guard CacheAddress.action(key: key).isValid else {
            throw CacheKeyError("cache key '\(key)' is not a lowercase hex digest; re-plan the build")
        }
    }
}

/// A cache key that is not a lowercase hex digest: a plan from elsewhere, never one Kiln made.
public struct CacheKeyError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    package init(_ message: String) { self.message = message }
    public var description: String { message }
}
