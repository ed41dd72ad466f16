import Foundation
import KilnCore
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's copy of a file in memory, for tests of reads that must not wait for the disk.
public enum PageCache {
    /// Drops the bytes `range` of the file at `path` (all of it by default) from the page cache:
    /// written back first (`fsync`), then `POSIX_FADV_DONTNEED`. True when the first of them is not
    /// in memory afterwards, as `PosixFile.readCached` reads it (false on a filesystem that keeps
    /// files in memory only, such as tmpfs). That look starts the kernel reading the range back in
    /// the background; `check: false` skips it.
    @discardableResult
    public static func evict(_ path: String, range: Range<Int>? = nil, check: Bool = true) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        fsync(fd)
        let bytes = range ?? 0..<Int(lseek(fd, 0, SEEK_END))
        guard posix_fadvise(fd, off_t(bytes.lowerBound), off_t(bytes.count), POSIX_FADV_DONTNEED) == 0 else { return false }
        guard check else { return true }
        var probe = [UInt8](repeating: 0, count: min(bytes.count, 4096))
        return probe.withUnsafeMutableBytes { PosixFile.readCached(fd, into: $0, at: bytes.lowerBound) } == 0
    }
}
