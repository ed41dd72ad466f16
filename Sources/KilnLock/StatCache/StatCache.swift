import Foundation
import KilnCore
import Synchronization

/// The build's stat cache, `.kiln/state`: for each file Kiln hashed or wrote, its size, mtime,
/// inode and SHA-256, so a no-op build re-hashes nothing; and for each step id, the cache key it
/// last produced.
///
/// A `final class` guarding its tables with a `Mutex`: steps running concurrently may share one.
/// Hashing happens outside the lock.
///
/// The trade-off, as in `make`: a file whose size, mtime (to the nanosecond) and inode are all
/// unchanged is taken to be unchanged, without reading it. An edit that keeps the size and puts
/// the mtime back (or lands within the file system's timestamp granularity of the previous write)
/// goes unnoticed until the stamp changes; deleting `.kiln/state` makes the next build re-hash everything.
public final class StatCache: Sendable {
    /// One file's stamp and digest.
    public struct Entry: Hashable, Sendable {
        public var stamp: FileStamp
        public var sha256: String
        /// What an input image is (its structure was checked whole when this was stored).
        public var facts: ImageFacts?

        public init(stamp: FileStamp, sha256: String, facts: ImageFacts? = nil) {
            self.stamp = stamp
            self.sha256 = sha256
            self.facts = facts
        }
    }

    package struct Tables {
        package var files: [String: Entry] = [:]
        package var stepKeys: [StepID: String] = [:]
        package var changed = false

        package init(files: [String: Entry] = [:], stepKeys: [StepID: String] = [:]) {
            self.files = files
            self.stepKeys = stepKeys
        }
    }

    /// The format version of the state file; a file with any other version is ignored.
    public static let currentVersion = 1

    package let tables: Mutex<Tables>

    /// An empty state.
    public init() {
        tables = Mutex(Tables())
    }

    package init(tables: Tables) {
        self.tables = Mutex(tables)
    }

    /// `.kiln/state` under `directory` (the directory Kiln runs in).
    public static func defaultURL(in directory: URL) -> URL {
        directory.appendingPathComponent(".kiln/state")
    }

    /// The SHA-256 of the file at `path`: the stored digest when the file's size, mtime and inode
    /// match the stored stamp (the file is not read), else a fresh hash, which is stored.
    /// - Throws: the file system's error when the file cannot be read.
    public func digest(ofFile path: String) throws -> String {
        let before = FileStamp.of(path)
        if let before, let entry = tables.withLock({ $0.files[path] }), entry.stamp == before {
            return entry.sha256
        }
        let digest = try Digest.sha256(fileAt: URL(fileURLWithPath: path))
        // Store only when the file held still while it was read.
        if let before, FileStamp.of(path) == before {
            store(path, Entry(stamp: before, sha256: digest))
        }
        return digest
    }

    /// An input image's digest and checked facts: the stored ones when the file's stamp is
    /// unchanged (the file is not read: it was read whole and checked when they were stored), else
    /// one read that checks and hashes it, stored when the file held still.
    public func inputFile(_ path: String) -> Result<(digest: String, facts: ImageFacts), ImageFileProblem> {
        let before = FileStamp.of(path)
        if let before, let entry = tables.withLock({ $0.files[path] }), entry.stamp == before, let facts = entry.facts {
            return .success((entry.sha256, facts))
        }
        let result = ImageFileCheck.inspectAndHash(path: path)
        if case let .success(found) = result, let before, FileStamp.of(path) == before {
            store(path, Entry(stamp: before, sha256: found.digest, facts: found.facts))
        }
        return result
    }

    /// Records that the file at `path`, just written, has digest `sha256` (stats it; no hashing).
    /// Does nothing when the file is not there.
    public func record(path: String, sha256: String) {
        guard let stamp = FileStamp.of(path) else { return }
        store(path, Entry(stamp: stamp, sha256: sha256))
    }

    /// The stored entry for `path`, if any.
    public func entry(forFile path: String) -> Entry? {
        tables.withLock { $0.files[path] }
    }

    /// Forgets `path` (a file Kiln deleted).
    public func removeFile(_ path: String) {
        tables.withLock { tables in
            if tables.files.removeValue(forKey: path) != nil { tables.changed = true }
        }
    }

    /// The cache key `id` last produced.
    public func cacheKey(forStep id: StepID) -> String? {
        tables.withLock { $0.stepKeys[id] }
    }

    /// Records the cache key `id` produced in this build.
    public func setCacheKey(_ key: String, forStep id: StepID) {
        tables.withLock { tables in
            if tables.stepKeys.updateValue(key, forKey: id) != key { tables.changed = true }
        }
    }

    /// Whether anything changed since the state was loaded or written (a no-op build need not write).
    public var hasChanges: Bool { tables.withLock { $0.changed } }

    /// How many files and steps the state holds.
    public var counts: (files: Int, steps: Int) { tables.withLock { ($0.files.count, $0.stepKeys.count) } }

    private func store(_ path: String, _ entry: Entry) {
        tables.withLock { tables in
            if tables.files.updateValue(entry, forKey: path) != entry { tables.changed = true }
        }
    }
}
