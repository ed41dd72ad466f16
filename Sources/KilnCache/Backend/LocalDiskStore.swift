import Foundation
import KilnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The cache backend on the local disk, under one root folder:
/// - `actions/<2 hex>/<key>.entry`: an action's value (a `CacheEntryFile`);
/// - `blobs/<2 hex>/<sha256>`: a blob, read-only (an output may be a hard link to it);
/// - `tmp/<pid>-<n>`: values being written, renamed into place when whole.
///
/// The synchronous calls are what `ResultCache` uses on the engine's blocking-I/O threads; the
/// `CacheBackend` calls run them there too.
public struct LocalDiskStore: CacheBackend {
    public let root: String
    public var name: String { "local" }

    public init(root: String) {
        self.root = root
    }

    package var actionsPath: String { root + "/actions" }
    package var blobsPath: String { root + "/blobs" }
    package var tmpPath: String { root + "/tmp" }

    /// Where the value at `address` lives (the name is not checked here).
    package func path(for address: CacheAddress) -> String {
        let name = address.name
        switch address {
        case .action: return actionsPath + "/" + name.prefix(2) + "/" + name + CacheEntryFile.fileExtension
        case .blob: return blobsPath + "/" + name.prefix(2) + "/" + name
        }
    }

    // MARK: - Synchronous

    package func existsNow(_ address: CacheAddress) -> Bool {
        address.isValid && access(path(for: address), F_OK) == 0
    }

    /// The value, or nil. Nothing is marked as used here: `ResultCache.lookup` marks an action once
    /// it has checked it, and a blob lives as long as an entry names it (`collectGarbage`) — its
    /// mtime is left alone, since outputs linked to it share it.
    package func readNow(_ address: CacheAddress) throws -> Data? {
        try Self.check(address)
        return PosixFile.read(path(for: address))
    }

    /// Writes through `tmp/` and renames into place, making each folder once per process (and
    /// once more if it was removed since). A blob must have the digest it is stored under.
    package func writeNow(_ data: Data, at address: CacheAddress) throws {
        try Self.check(address)
        guard case let .blob(digest) = address else { return try writeFile(data, to: path(for: address)) }
        guard Digest.sha256(data) == digest else {
            throw CacheKeyError("cache: a blob stored as \(digest) has another digest; it was not stored")
        }
        try writeFile(data, to: path(for: address), mode: 0o444, seal: data.withUnsafeBytes { ImageSeal(sha256: digest, bytes: $0) })
    }

    /// Writes a cache entry made of `pieces` (its record, then its images) as one file, without
    /// joining them in memory first. `seal`: its images' (`ImageSeal`), set where the filesystem takes it.
    package func writeNow(pieces: [Data], at address: CacheAddress, seal: ImageSeal? = nil) throws {
        try Self.check(address)
        precondition(!address.isBlob, "a blob is written whole, with its digest checked")
        let target = path(for: address)
        try withFolders(for: target) { try PosixFile.write(pieces, to: target, tmp: tmpPath, label: "cache", seal: seal) }
    }

    /// Writes any file under the root (`last-build.json`, a blob) the way values are written.
    /// `seal`: a blob's (`ImageSeal`), set where the filesystem takes it.
    package func writeFile(_ data: Data, to target: String, mode: mode_t = 0o644, seal: ImageSeal? = nil) throws {
        try withFolders(for: target) { try PosixFile.write(data, to: target, tmp: tmpPath, label: "cache", mode: mode, seal: seal) }
    }

    /// Runs `write` once the folders `target` needs exist; if it fails, makes them again (another
    /// process or `kiln cache gc` may have removed one) and tries once more.
    private func withFolders(for target: String, _ write: () throws -> Void) throws {
        let folders = [tmpPath, AtomicFile.split(target)?.directory ?? root]
        do {
            for folder in folders { try AtomicFile.ensureDirectory(path: folder) }
            try write()
        } catch {
            for folder in folders {
                AtomicFile.forget(path: folder)
                try AtomicFile.ensureDirectory(path: folder)
            }
            try write()
        }
    }

    /// Copies the file `source` to `target` through a temp file, a megabyte at a time. `temp`: the
    /// cache's `tmp/<pid>-<n>` for a value stored here; for a download, a hidden
    /// `.<name>.kiln-<pid>-<n>.tmp` beside the destination (under outputs/, the next build sweeps
    /// one a killed process left). Removed when the copy fails.
    private static func copy(_ source: URL, to target: String, temp: String, mode: mode_t = 0o644) throws {
        let input = try FileHandle(forReadingFrom: source)
        defer { try? input.close() }
        // One `open` that makes the file (`FileManager.createFile` wrote it atomically first: a
        // second temp file and a rename, then another open).
        let output = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw PosixFile.failure("create", temp, label: "cache") }
        var isOpen = true
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                guard chunk.withUnsafeBytes({ PosixFile.writeAll(output, $0) }) else {
                    throw PosixFile.failure("write", temp, label: "cache")
                }
            }
            isOpen = false
            guard close(output) == 0 else { throw PosixFile.failure("write", temp, label: "cache") }
            guard chmod(temp, mode) == 0, rename(temp, target) == 0 else { throw PosixFile.failure("rename into place", target, label: "cache") }
        } catch {
            if isOpen { close(output) }
            unlink(temp)
            throw error
        }
    }

    private static func check(_ address: CacheAddress) throws {
        guard address.isValid else {
            throw CacheKeyError("cache: '\(address.name)' is not a lowercase hex \(address) name; re-plan the build")
        }
    }

    // MARK: - CacheBackend

    /// One `access(2)`: answered in place, as `ResultCache.hasEntry` is (no thread hand-off).
    public func contains(_ address: CacheAddress) async throws -> Bool {
        try Self.check(address)
        return existsNow(address)
    }

    public func get(_ address: CacheAddress) async throws -> Data? {
        try await BlockingIO.run { try readNow(address) }
    }

    public func put(_ data: Data, at address: CacheAddress) async throws {
        try await BlockingIO.run { try writeNow(data, at: address) }
    }

    public func download(_ address: CacheAddress, to destination: URL) async throws -> Bool {
        try Self.check(address)
        let source = path(for: address)
        return try await BlockingIO.run {
            guard access(source, R_OK) == 0 else { return false }
            let folder = destination.deletingLastPathComponent().path
            let temp = folder + "/" + AtomicFile.temporaryName(for: destination.lastPathComponent)
            try Self.copy(URL(fileURLWithPath: source), to: destination.path, temp: temp)
            return true
        }
    }

    public func upload(_ source: URL, range: Range<Int>?, to address: CacheAddress) async throws {
        try Self.check(address)
        let target = path(for: address)
        try await BlockingIO.run {
            if case let .blob(digest) = address, try Digest.sha256(fileAt: source, range: range) != digest {
                throw CacheKeyError("cache: \(source.path) does not have the digest \(digest); it was not stored")
            }
            if let range {
                // Part of a file (an image inside a format-3 entry): read whole, at most one image.
                let handle = try FileHandle(forReadingFrom: source)
                defer { try? handle.close() }
                try handle.seek(toOffset: UInt64(range.lowerBound))
                let data = try handle.read(upToCount: range.count) ?? Data()
                guard data.count == range.count else {
                    throw CacheKeyError("cache: \(source.path) ends before byte \(range.upperBound); it was not stored")
                }
                try writeFile(data, to: target, mode: address.isBlob ? 0o444 : 0o644)
                return
            }
            try withFolders(for: target) {
                try Self.copy(source, to: target, temp: tmpPath + "/" + TemporaryName.next(),
                              mode: address.isBlob ? 0o444 : 0o644)
            }
        }
    }
}
