import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AtomicFile {
    /// Puts the file at `source` at `path` without copying its bytes: a copy-on-write clone where
    /// the file system has them (Btrfs, XFS, bcachefs), else — only when `linking` — a hard link,
    /// which shares the file itself (a change to one is a change to both). Made under a temp name
    /// beside the destination, then renamed over it, so a reader sees the old file or the new one.
    /// False when neither is possible (ext4 without `linking`, another file system, no such source):
    /// the caller writes the bytes instead. Once a clone has failed for want of support, no
    /// further clone is tried in this process. Blocking.
    package static func place(_ source: String, at path: String, linking: Bool) -> Bool {
        let clones = clonesMayWork.withLock { $0 }
        guard clones || linking, let (directory, name) = split(path),
              (try? ensureDirectory(path: directory)) != nil else { return false }
        let temp = directory + "/" + temporaryName(for: name)
        guard (clones && clone(source, to: temp)) || (linking && link(source, temp) == 0) else { return false }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            return false
        }
        return true
    }

    /// Whether a file in `source` (a folder) can be cloned into `destination` (a folder): both on
    /// one file system that has copy-on-write clones. Tried with a one-byte file; both folders are
    /// made if missing. Blocking.
    package static func clones(from source: String, to destination: String) -> Bool {
        guard clonesMayWork.withLock({ $0 }), (try? ensureDirectory(path: source)) != nil,
              (try? ensureDirectory(path: destination)) != nil else { return false }
        let probe = source + "/" + temporaryName(for: "clone-probe")
        guard (try? writeNew(Data([0]), to: probe)) != nil else { return false }
        defer { unlink(probe) }
        let copy = destination + "/" + temporaryName(for: "clone-probe")
        guard clone(probe, to: copy) else { return false }
        unlink(copy)
        return true
    }

    /// False once a clone failed because the file system has none: not asked again in this process.
    private static let clonesMayWork = Mutex(true)

    /// `ioctl(FICLONE)` into a new file at `temp`; false (and nothing left at `temp`) when it fails.
    private static func clone(_ source: String, to temp: String) -> Bool {
        #if os(Linux)
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return false }
        defer { close(input) }
        let output = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { return false }
        let ficlone: UInt = 0x4004_9409  // _IOW(0x94, 9, int)
        let cloned = ioctl(output, ficlone, input) == 0
        let code = errno
        close(output)
        if cloned { return true }
        unlink(temp)
        if [EOPNOTSUPP, ENOTTY, EINVAL, EXDEV, ENOSYS].contains(code) {
            clonesMayWork.withLock { $0 = false }
        }
        return false
        #else
        return false
        #endif
    }
}
