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
/// - `actions/<2 hex>/<cache key>.entry`: one file per stored answer (`CacheEntryFile`): the
///   `CacheRecord`, followed by the images (format 3, `Layout.inline`) or naming their blobs
///   (format 4, `Layout.blobs`). Its mtime is the last time a build used it (`collectGarbage`).
/// - `blobs/<2 hex>/<sha256>`: each image once, read-only, for format-4 entries; an output is
///   placed from its blob without writing the bytes again (a copy-on-write clone, or a hard link
///   with `--link-outputs`: `AtomicFile.place`). Where neither applies the engine stores inline:
///   a blob would only add a file.
/// - `actions/<2 hex>/<cache key>.json` + `objects/<2 hex>/<sha256>`: format 2 (Kiln before entry
///   files). Never read: `oldFormatNotice()` reports such a cache once, and `collectGarbage` removes it.
/// - `tmp/<pid>-<n>`: files being written; `keys.lock`: one byte per key locked (`lock(_:)`).
/// - `last-build.json`: hits and misses of the last build (`recordLastBuild`).
///
/// Every file is written to `tmp/` and renamed into place, blobs before their entry, so a reader
/// sees a whole entry or none.
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
    /// A shared store looked up after a local miss and written after a local store; nil: local only.
    public var remote: RemoteTier?
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
        guard let data = try store.readNow(.action(key: key)) else { return nil }
        if let (record, start) = CacheEntryFile.record(in: data), record.cacheKey == key,
           let hit = result(record, entry: data, payloadStart: start) {
            PosixFile.touch(path)
            return hit
        }
        // Damaged (a power loss, a disk error, a blob changed in place): it can never be used.
        // Should another process rename a good copy in between the read and this unlink, that copy
        // goes too: the worst case is one more miss, never a wrong hit.
        unlink(path)
        return nil
    }

    /// `key`'s record and where its images are on disk, their digests not checked here: for an
    /// upload, whose backend checks each image before it sends it — by the file's seal (`ImageSeal`)
    /// or its digest — so a damaged local copy is still never sent, and the bytes are read once. Only the entry's header and
    /// record are read: a format-4 entry's images are its blobs, a format-3 entry's the bytes after
    /// its record, and the upload streams them from there (reading each ~2 MB entry whole, then
    /// copying its image out, cost a push a fifth of its CPU). Nil when there is no readable entry,
    /// a blob is missing, or a format-3 entry's size is not its record's.
    package func unverifiedEntry(_ key: String) -> StoredImages? {
        guard (try? Self.validate(key)) != nil else { return nil }
        let entry = entryPath(key)
        guard let (record, payloadStart) = CacheEntryFile.head(at: entry), record.cacheKey == key else { return nil }
        var files = [StoredImages.File]()
        if record.version != CacheEntryFile.version {
            var offset = payloadStart
            for image in record.images {
                guard image.bytes >= 0 else { return nil }
                files.append(StoredImages.File(path: entry, range: offset..<offset + image.bytes))
                offset += image.bytes
            }
            guard let size = PosixFile.status(entry)?.st_size, Int(size) == offset else { return nil }
            return StoredImages(record: record, files: files)
        }
        for image in record.images {
            let address = CacheAddress.blob(sha256: image.sha256)
            guard address.isValid, store.existsNow(address) else { return nil }
            files.append(StoredImages.File(path: store.path(for: address), range: nil))
        }
        return StoredImages(record: record, files: files)
    }

    /// Whether `key`'s entry is whole: its record reads and every image matches its digest. A
    /// damaged entry is removed (as `lookup` would); the entry is not marked as used.
    public func verify(_ key: String) -> Bool {
        guard (try? Self.validate(key)) != nil, let data = try? store.readNow(.action(key: key)) else { return false }
        if let (record, start) = CacheEntryFile.record(in: data), record.cacheKey == key,
           result(record, entry: data, payloadStart: start) != nil {
            return true
        }
        unlink(entryPath(key))
        return false
    }

    /// The images of an entry that passed its header: format 4's from their blobs, format 3's from
    /// the entry itself; nil when any is missing or does not match its record.
    private func result(_ record: CacheRecord, entry: Data, payloadStart: Int) -> CachedResult? {
        guard record.version == CacheEntryFile.version else {
            return CacheEntryFile.images(in: entry, record: record, payloadStart: payloadStart)
                .map { CachedResult(record: record, images: $0) }
        }
        guard entry.startIndex + payloadStart == entry.endIndex else { return nil }
        var images = [Data](), paths = [String]()
        for image in record.images {
            let address = CacheAddress.blob(sha256: image.sha256)
            guard address.isValid else { return nil }
            let path = store.path(for: address)
            guard let bytes = PosixFile.read(path), bytes.count == image.bytes, Digest.sha256(bytes) == image.sha256 else {
                return nil
            }
            images.append(bytes)
            paths.append(path)
        }
        return CachedResult(record: record, images: images, blobs: paths)
    }

    /// How `store` lays an answer out.
    public enum Layout: Sendable {
        /// Format 3: the images after the record, in the entry file. One file per answer: the
        /// layout to use when outputs are written anyway (ext4 without `--link-outputs`).
        case inline
        /// Format 4: each image a read-only blob under its digest, the entry only the record. An
        /// output can then be placed from its blob (a clone, a link) instead of written again.
        case blobs
    }

    /// Stores a result, replacing any earlier entry for `key`: as one entry file (`.inline`), or as
    /// a blob per image and then the entry naming them (`.blobs`). Returns the record written and,
    /// for `.blobs`, the blobs' paths, from which outputs can be placed without writing the bytes
    /// again (`AtomicFile.place`). Throws `FileError` when a file cannot be written.
    /// - Parameters:
    ///   - digests: the images' SHA-256 when the caller has them already (else computed).
    ///   - adopted: where the images came from when no provider made them (`kiln adopt`).
    @discardableResult
    public func store(key: String, step: PlannedStep, images: [Data], digests: [String]? = nil, usage: Usage?,
                      requestID: String?, costUSD: Double? = nil, resolved: [String: String],
                      layout: Layout = .blobs, adopted: CacheRecord.Adoption? = nil) throws -> StoredResult {
        try Self.validate(key)
        let stored = images.enumerated().map { i, data in
            CacheRecord.Image(sha256: digests.flatMap { $0.indices.contains(i) ? $0[i] : nil } ?? Digest.sha256(data),
                              bytes: data.count, format: ImageFormat(sniffing: data))
        }
        var record = CacheRecord(cacheKey: key, step: step.id, kind: step.kind, provider: step.provider,
                                 model: step.model, usage: usage, requestID: requestID, costUSD: costUSD,
                                 resolved: resolved, images: stored, adopted: adopted)
        guard layout == .blobs else {
            record.version = CacheEntryFile.inlineVersion
            let seal = ImageSeal(zip(stored, images).map { image, data in data.withUnsafeBytes { ImageSeal.Image(sha256: image.sha256, bytes: $0) } })
            try store.writeNow(pieces: CacheEntryFile.pieces(record, images: images), at: .action(key: key), seal: seal)
            return StoredResult(record: record, blobs: nil)
        }
        // Always written, even when a blob of that digest exists: the one on disk may have been
        // changed in place through a link, and an output is about to be placed from this one.
        var paths = [String]()
        for (image, data) in zip(stored, images) {
            let path = store.path(for: .blob(sha256: image.sha256))
            try store.writeFile(data, to: path, mode: 0o444, seal: data.withUnsafeBytes { ImageSeal(sha256: image.sha256, bytes: $0) })
            paths.append(path)
        }
        try store.writeNow(CacheEntryFile.encode(record), at: .action(key: key))
        return StoredResult(record: record, blobs: paths)
    }

    /// Writes a file under the cache's root through `tmp/`.
    package func put(_ data: Data, at path: String) throws {
        try store.writeFile(data, to: path)
    }

    /// Makes the 256 fan-out folders of `actions/` and `blobs/` (and `tmp/`) unless the last of them exists: a
    /// first build would otherwise make them one by one as its answers arrive, hundreds in the same
    /// few milliseconds. Best effort: a store makes any folder still missing.
    public func prepareFolders() {
        guard PosixFile.status(actionsPath + "/ff") == nil || PosixFile.status(store.blobsPath + "/ff") == nil else { return }
        for byte in 0..<256 {
            try? AtomicFile.ensureDirectory(path: actionsPath + "/" + Self.hexByte(byte))
            try? AtomicFile.ensureDirectory(path: store.blobsPath + "/" + Self.hexByte(byte))
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
