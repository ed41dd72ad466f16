import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output manifest a build started from, kept open rather than read: the build writes its new
/// manifest to a temp file and renames it into place, so the old one stays readable through this
/// handle after the rename. Only when the path then names another file is anything read — a no-op
/// build, which leaves the manifest alone, costs an `open` and two `stat`s.
public final class ManifestSnapshot: @unchecked Sendable {
    private let path: String
    private let handle: FileHandle
    private let device: UInt64
    private let inode: UInt64

    /// Nil when there is no readable file at `path`.
    init?(path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0 else { return nil }
        self.path = path
        self.handle = handle
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    deinit { try? handle.close() }

    /// The bytes of the manifest this snapshot holds, when another file has since taken its path
    /// (a build wrote a new manifest); nil when the path still names it, or it cannot be read.
    func replacedContents() -> Data? {
        var now = stat()
        if stat(path, &now) == 0 && UInt64(now.st_dev) == device && UInt64(now.st_ino) == inode { return nil }
        guard (try? handle.seek(toOffset: 0)) != nil else { return nil }
        return try? handle.readToEnd()
    }
}
