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
enum AtomicFile {
    /// Writes `data` to `url`, creating parent directories and replacing any existing file.
    static func write(_ data: Data, to url: URL) throws {
        let temp = try writeTemporary(data, besides: url)
        try commit(temp, to: url)
    }

    /// Writes `data` to a hidden temp file in `url`'s directory and returns the temp file.
    static func writeTemporary(_ data: Data, besides url: URL) throws -> URL {
        let directory = url.deletingLastPathComponent()
        try ensureDirectory(directory)
        let temp = URL(fileURLWithPath: directory.path + "/.\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temp)
        } catch {
            // The folder may have been removed since this process saw it: make it again, once.
            forget(directory)
            do {
                try ensureDirectory(directory)
                try data.write(to: temp)
            } catch {
                discard(temp)
                throw error
            }
        }
        return temp
    }

    /// Renames `temp` over `url`; removes `temp` if that fails.
    static func commit(_ temp: URL, to url: URL) throws {
        if rename(temp.path, url.path) != 0 {
            let code = errno
            discard(temp)
            throw CocoaError(.fileWriteUnknown, userInfo: [
                NSFilePathErrorKey: url.path,
                NSLocalizedDescriptionKey: "cannot rename into \(url.path): \(String(cString: strerror(code)))",
            ])
        }
    }

    /// Removes a file if it exists, ignoring errors (cleanup path).
    /// Folders this process created or found, so writing many files into one folder asks the
    /// file system once (a build writes hundreds of files into a handful of folders).
    private static let knownDirectories = Mutex<Set<String>>([])

    /// Creates `directory` (and its parents) unless this process already saw it.
    static func ensureDirectory(_ directory: URL) throws {
        let path = directory.path
        if knownDirectories.withLock({ $0.contains(path) }) { return }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        knownDirectories.withLock { _ = $0.insert(path) }
    }

    static func forget(_ directory: URL) {
        let path = directory.path
        knownDirectories.withLock { _ = $0.remove(path) }
    }

    static func discard(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
    }
}
