import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-key cache locks of this process: one byte of one shared lock file per key.
///
/// Between processes a key is locked by a POSIX record lock (`fcntl F_SETLK`) on one byte of
/// `<cache>/keys.lock`, at an offset taken from the key's first 60 bits. Every key shares that one
/// file, so taking a lock creates no file (a first build of 600 paid steps used to create 600).
/// POSIX record locks belong to the process, not the descriptor, so this table also keeps
/// tasks of one process apart: a key already held here is busy without asking the kernel.
///
/// The process keeps one descriptor per lock file open until it exits, and nothing else in Kiln
/// opens that file: closing any descriptor of it would drop every record lock the process holds on
/// it. The kernel releases the locks when the process dies, so `kill -9` never leaves a key locked.
package final class KeyLockTable: Sendable {
    package static let shared = KeyLockTable()

    private struct File {
        var descriptor: Int32
        /// Held keys, each with the descriptor its byte was locked through.
        var held: [String: Int32] = [:]
    }

    private let files = Mutex<[String: File]>([:])

    /// Locks `key`'s byte of the file at `path` (created if missing) when no one holds it: true when
    /// taken, false when this process or another holds it. Throws the `errno` of a failed open or
    /// lock. The system calls run outside the table's mutex: hundreds of steps lock at once.
    package func tryLock(_ key: String, in path: String) throws(KeyLockError) -> Bool {
        guard var descriptor = try claim(key, in: path, replacing: nil) else { return false }
        // A file removed since it was opened (a cleaned cache) keeps no other process out: reopen.
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_nlink == 0 {
            do {
                descriptor = try claim(key, in: path, replacing: descriptor) ?? descriptor
            } catch {
                release(key, in: path)
                throw error
            }
        }
        var range = Self.range(of: key, type: F_WRLCK)
        while fcntl(descriptor, F_SETLK, &range) != 0 {
            let code = errno
            if code == EINTR { continue }
            release(key, in: path)
            if code == EAGAIN || code == EACCES { return false }
            throw KeyLockError(operation: "lock", path: path, code: code)
        }
        return true
    }

    /// Releases `key` if this process holds it in the file at `path`.
    package func unlock(_ key: String, in path: String) {
        guard let descriptor = files.withLock({ $0[path]?.held[key] }) else { return }
        // Unlock before forgetting the key: a task of this process that takes it next must find the
        // byte free, not have its fresh lock dropped by this unlock.
        var range = Self.range(of: key, type: F_UNLCK)
        while fcntl(descriptor, F_SETLK, &range) != 0 && errno == EINTR {}
        release(key, in: path)
    }

    /// Marks `key` held by this process and returns the descriptor to lock its byte through, or nil
    /// when a task of this process holds it. Opens the file the first time, and again when
    /// `replacing` names the descriptor of a removed file. An old descriptor stays open: closing
    /// it would drop locks still held through it.
    private func claim(_ key: String, in path: String, replacing stale: Int32?) throws(KeyLockError) -> Int32? {
        try files.withLock { (files) throws(KeyLockError) -> Int32? in
            if stale == nil, files[path]?.held[key] != nil { return nil }
            if files[path] == nil || files[path]?.descriptor == stale {
                let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { throw KeyLockError(operation: "open", path: path, code: errno) }
                files[path, default: File(descriptor: descriptor)].descriptor = descriptor
            }
            // Mutated in place, with no copy of the entry alive meanwhile: `held` would be copied
            // whole for every lock.
            guard let descriptor = files[path]?.descriptor else { return nil }
            files[path]?.held[key] = descriptor
            return descriptor
        }
    }

    private func release(_ key: String, in path: String) {
        files.withLock { _ = $0[path]?.held.removeValue(forKey: key) }
    }

    /// One byte at an offset from the key's first 15 hex digits (60 bits: two keys share a byte
    /// about once in 10^18 pairs; across processes such keys then wait for each other).
    private static func range(of key: String, type: Int32) -> flock {
        var offset: Int64 = 0
        for byte in key.utf8.prefix(15) {
            offset = offset << 4 | Int64(byte <= 57 ? byte - 48 : byte - 87)
        }
        var range = flock()
        range.l_type = Int16(type)
        range.l_whence = Int16(SEEK_SET)
        range.l_start = off_t(offset)
        range.l_len = 1
        return range
    }
}

/// A system call on the key lock file failed.
package struct KeyLockError: Error {
    package var operation: String
    package var path: String
    package var code: Int32

    package init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }
}
