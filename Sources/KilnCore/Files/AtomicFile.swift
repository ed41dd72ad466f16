import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Temp-file-then-rename writes: a reader sees the old file or the whole new one, never half.
///
/// The temp file lives in the destination's directory (same file system, so `rename(2)` is atomic)
/// and is removed when anything fails. No fsync: a crash may lose the newest file, never corrupt one.
/// These are plain blocking calls with no cancellation points, so task cancellation cannot cut a
/// write short.
///
/// A process killed between writing and renaming leaves its temp file behind. Temp names carry
/// the writer's pid (`.<name>.kiln-<pid>-<random>.tmp`), so the next build removes the ones whose
/// process is gone (`sweep`) without touching those of another build still running.
package enum AtomicFile {
    /// Writes `data` to `url`, creating parent directories and replacing any existing file.
    package static func write(_ data: Data, to url: URL) throws {
        try write(data, toPath: url.path)
    }

    /// `write(_:to:)` by path: a build writes hundreds of files, and building a `URL` for each costs
    /// more than the write on a RAM disk.
    package static func write(_ data: Data, toPath path: String) throws {
        let (directory, name) = split(path) ?? (".", path)
        try ensureDirectory(path: directory)
        let temp = directory + "/" + temporaryName(for: name)
        do {
            try writeNew(data, to: temp)
        } catch {
            // The folder may have been removed since this process saw it: make it again, once.
            forget(path: directory)
            try ensureDirectory(path: directory)
            try writeNew(data, to: temp)
        }
        if rename(temp, path) != 0 {
            let code = errno
            unlink(temp)
            throw writeError(path, code, "cannot rename into")
        }
    }

    /// Creates `path` (which must not exist) holding `data`: plain open/write/close, without the
    /// extra work `Data.write(to:)` does per file (a build writes hundreds at once).
    package static func writeNew(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw writeError(path, errno) }
        var failure: Int32 = data.withUnsafeBytes { PosixFile.writeAll(fd, $0) } ? 0 : errno
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 {
            unlink(path)
            throw writeError(path, failure)
        }
    }

    package static func writeError(_ path: String, _ code: Int32, _ what: String = "cannot write") -> CocoaError {
        CocoaError(code == ENOSPC || code == EDQUOT ? .fileWriteOutOfSpace : .fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: path,
            NSLocalizedDescriptionKey: "\(what) \(path): \(SystemErrorText.words(errno: code))",
            NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(code)),
        ])
    }

    /// Whether `error` says the disk (or the user's quota) is full.
    package static func isOutOfSpace(_ error: any Error) -> Bool {
        if let file = error as? FileError { return file.isDiskFull }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain && ns.code == CocoaError.fileWriteOutOfSpace.rawValue { return true }
        guard let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain else {
            return false
        }
        return underlying.code == Int(ENOSPC) || underlying.code == Int(EDQUOT)
    }

    package static let temporarySuffix = ".tmp"

    /// `.<name>.kiln-<pid>-<random>.tmp`: hidden, and naming the process that writes it.
    package static func temporaryName(for name: String) -> String {
        "." + name + ".kiln-" + TemporaryName.next() + temporarySuffix
    }

    /// Whether `name` is one of this type's temp files and the process that wrote it is gone.
    package static func isAbandonedTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(temporarySuffix),
              let marker = name.range(of: ".kiln-", options: .backwards) else { return false }
        let fields = name[marker.upperBound...].dropLast(temporarySuffix.count).split(separator: "-")
        guard fields.count == 2, let pid = Int32(fields[0]), pid > 0 else { return false }
        return !ProcessLiveness.isAlive(pid)
    }

    /// Removes the temp files in `directory` (not below it) left by processes that died mid-write;
    /// returns their names. A folder that does not exist has none.
    @discardableResult
    package static func sweep(_ directory: URL) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        let abandoned = names.filter(isAbandonedTemporary).sorted()
        for name in abandoned { discard(directory.appendingPathComponent(name)) }
        return abandoned
    }

    /// Folders this process created or found, so writing many files into one folder asks the
    /// file system once (a build writes hundreds of files into a handful of folders).
    private static let knownDirectories = Mutex<Set<String>>([])

    /// Creates `directory` (and its parents) unless this process already saw it.
    package static func ensureDirectory(_ directory: URL) throws {
        try ensureDirectory(path: directory.path)
    }

    package static func ensureDirectory(path: String) throws {
        if knownDirectories.withLock({ $0.contains(path) }) { return }
        try makeDirectory(path)
        knownDirectories.withLock { _ = $0.insert(path) }
    }

    /// `mkdir -p`: plain `mkdir(2)` calls (a first build makes hundreds of the cache's fan-out
    /// folders, and `FileManager` costs several times the system call for each).
    private static func makeDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        var code = errno
        if code == ENOENT, let parent = split(path)?.directory, !parent.isEmpty, parent != path {
            try makeDirectory(parent)
            if mkdir(path, 0o755) == 0 { return }
            code = errno
        }
        var info = stat()
        if code == EEXIST, stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return }
        throw writeError(path, code == EEXIST ? ENOTDIR : code, "cannot create the folder")
    }

    /// The folder and the name of a path (`a/b/c.png` → `a/b`, `c.png`); nil without a slash.
    /// Scans bytes, not characters: a build splits thousands of paths.
    package static func split(_ path: String) -> (directory: String, name: String)? {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        return (String(path[..<slash]), String(path[path.utf8.index(after: slash)...]))
    }

    package static func forget(_ directory: URL) {
        forget(path: directory.path)
    }

    package static func forget(path: String) {
        knownDirectories.withLock { _ = $0.remove(path) }
    }

    /// Removes a file if it exists, ignoring errors (cleanup path).
    package static func discard(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Cleanup after a build that was killed mid-write (see `AtomicFile`).
public enum AbandonedWrites {
    /// Removes, in each folder (not below it), the temp files of Kiln processes that are gone;
    /// returns their paths. Temp files of builds still running are kept.
    @discardableResult
    public static func sweep(_ directories: some Sequence<URL>) -> [String] {
        directories.flatMap { directory in AtomicFile.sweep(directory).map { directory.path + "/" + $0 } }
    }
}
