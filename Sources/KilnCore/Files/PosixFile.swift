import CKilnFiles
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The plain POSIX calls the cache (and other hot writers) are built on: one `open`/`write`/`close`/`rename` per file, no
/// Foundation staging, because a store sits on the critical path of every paid step.
///
/// No fsync anywhere: `kill -9` cannot tear a file (the rename is atomic), and after a power loss the
/// newest entry may be missing or hold garbage, which a lookup detects by its digest and treats as
/// a miss.
package enum PosixFile {
    /// Writes `data` to `<tmp>/<pid>-<random>` and renames it to `path`. The temp file is removed
    /// when anything fails. The pid in the name lets `sweepTemporaries` tell a dead writer's leftovers
    /// from a live writer's file in flight. `mode`: the file's permissions (a cache blob is
    /// read-only: outputs may be hard links to it). `seal`: set on the file before it is renamed
    /// into place, where the filesystem takes it (a cache file's images', see `ImageSeal`).
    package static func write(_ data: Data, to path: String, tmp: String, label: String, mode: mode_t = 0o644,
                              seal: ImageSeal? = nil) throws {
        try write([data], to: path, tmp: tmp, label: label, mode: mode, seal: seal)
    }

    /// `write` of a file made of `pieces` one after another (a cache entry's record, then its
    /// images), without first copying them into one buffer.
    package static func write(_ pieces: [Data], to path: String, tmp: String, label: String, mode: mode_t = 0o644,
                              seal: ImageSeal? = nil) throws {
        let temp = tmp + "/" + TemporaryName.next()
        // A user attribute can only be set on a file its owner may write, whatever the descriptor
        // (root aside): a read-only file to be sealed (a cache blob) is made writable by its
        // owner, sealed, then given its mode (the umask's bits kept) before it is renamed in.
        let readOnly = seal != nil && mode & S_IWUSR == 0
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, readOnly ? mode | S_IWUSR : mode)
        guard fd >= 0 else { throw failure("create", temp, label: label) }
        var ok = true
        for piece in pieces where ok { ok = piece.withUnsafeBytes { writeAll(fd, $0) } }
        if ok { seal?.set(on: fd) }
        if ok && readOnly {
            var info = stat()
            ok = fstat(fd, &info) == 0 && fchmod(fd, info.st_mode & 0o7777 & ~S_IWUSR) == 0
        }
        let code = errno
        if close(fd) != 0 { ok = false }
        guard ok else {
            unlink(temp)
            throw failure("write", temp, code: code, label: label)
        }
        guard rename(temp, path) == 0 else {
            let error = failure("rename into place", path, label: label)
            unlink(temp)
            throw error
        }
    }

    /// Writes all of `buffer` to `fd`, retrying short and interrupted writes; false on an error (errno says which).
    package static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let n = systemWrite(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Reads into `buffer` from `offset` only what is already in memory (the page cache), never
    /// waiting for the disk: the count read, which is short — 0 when the first bytes are not in
    /// memory, at the end of the file, or on any error, and on a system that cannot read this way
    /// (no `preadv2` with `RWF_NOWAIT`). The caller reads the rest the usual way, off the
    /// cooperative pool, and meets any error there.
    package static func readCached(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        while true {
            let n = kiln_pread_cached(fd, buffer.baseAddress, buffer.count, off_t(offset))
            if n < 0 && errno == EINTR { continue }
            return Swift.max(n, 0)
        }
    }

    /// The whole file (at most `limit` bytes of it), or nil when it cannot be read (missing,
    /// unreadable, a folder).
    package static func read(_ path: String, upTo limit: Int = .max) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let count = min(Int(info.st_size), limit)
        guard count > 0 else { return Data() }
        // Read into memory the Data then owns, not into `Data(count:)`: that zeroes every byte
        // first (3–4 % of a push's CPU, reading ~2 MB entries).
        guard let memory = malloc(count) else { return nil }
        var offset = 0
        while offset < count {
            let n = systemRead(fd, memory + offset, count - offset)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                free(memory)
                return nil
            }
            offset += n
        }
        return Data(bytesNoCopy: memory, count: count, deallocator: .free)
    }


    /// Sets the file's modification time to now; false when it could not (missing, read-only).
    @discardableResult
    package static func touch(_ path: String) -> Bool {
        utimensat(AT_FDCWD, path, nil, 0) == 0
    }

    package static func status(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    package static func modificationDate(_ info: stat) -> Date {
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
    }

    /// Names in a folder (no `.`/`..`); empty when the folder does not exist.
    package static func names(in directory: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }

    /// `directory/<2 hex>/<name>` for every name in every two-hex-digit subfolder.
    package static func fanOut(_ directory: String) -> [(name: String, path: String)] {
        var found = [(name: String, path: String)]()
        for prefix in names(in: directory) where prefix.utf8.count == 2 {
            for name in names(in: directory + "/" + prefix) {
                found.append((name, directory + "/" + prefix + "/" + name))
            }
        }
        return found
    }

    /// `label` names the folder's owner in the message ("cache": "cache: cannot … ; check that the
    /// cache folder is writable").
    package static func failure(_ action: String, _ path: String, code: Int32 = errno, label: String) -> FileError {
        if code == ENOSPC || code == EDQUOT {
            return FileError("\(label): cannot \(action) \(path): \(SystemErrorText.words(errno: code))", diskFull: true)
        }
        return FileError("\(label): cannot \(action) \(path): \(SystemErrorText.words(errno: code)); "
            + "check that the \(label) folder is writable", diskFull: false)
    }
}

// The enum's own `write`/`read` hide the C functions of the same name inside it.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
