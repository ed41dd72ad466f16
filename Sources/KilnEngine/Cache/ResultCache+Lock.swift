import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ResultCache {
    /// Takes the cross-process lock for `key`, waiting while another process or task holds it, so
    /// two builds sharing one cache do not pay twice for the same answer. Intended use:
    ///
    ///     if let hit = try cache.lookup(key) { return hit }
    ///     let lock = try await cache.lock(key)
    ///     defer { lock.release() }
    ///     if let hit = try cache.lookup(key) { return hit }  // the other holder may have stored it
    ///     let answer = try await provider.run(request)
    ///     try cache.store(key: key, …)   // off the cooperative pool
    ///
    /// Waiting polls a non-blocking `flock` with `Task.sleep` (20 ms, backing off to 200 ms), so it
    /// never blocks a cooperative thread. Each call opens its own descriptor, and Linux and macOS
    /// make `flock`s on separate opens of one file conflict, so two tasks of one process wait for
    /// each other too. Throws `CancellationError` when the task is cancelled while waiting, and
    /// `EngineError` when the key is not a digest or the lock file cannot be opened.
    public func lock(_ key: String) async throws -> CacheKeyLock {
        try await lock(key, whenBusy: nil)
    }

    /// `lock(_:)`; `whenBusy` runs once if the first attempt finds the key held (tests use it to
    /// order events without timing).
    func lock(_ key: String, whenBusy: (@Sendable () -> Void)?) async throws -> CacheKeyLock {
        var delay: UInt64 = 20_000_000
        var reported = false
        while true {
            if let held = try tryLock(key) { return held }
            if !reported {
                reported = true
                whenBusy?()
            }
            try await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, 200_000_000)
        }
    }

    /// The lock for `key` if it is free right now, else nil.
    func tryLock(_ key: String) throws -> CacheKeyLock? {
        try Self.validate(key)
        let folder = URL(fileURLWithPath: locksPath, isDirectory: true)
        let path = locksPath + "/" + key + ".lock"
        try AtomicFile.ensureDirectory(folder)
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT {
            AtomicFile.forget(folder)
            try AtomicFile.ensureDirectory(folder)
            fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw CacheFiles.failure("open the lock file", path) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw CacheFiles.failure("lock", path, code: code)
        }
        return CacheKeyLock(key: key, descriptor: fd)
    }
}
