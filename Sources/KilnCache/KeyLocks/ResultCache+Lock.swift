import Foundation
import KilnCore

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
    /// Waiting polls a non-blocking record lock with `Task.sleep` (20 ms, backing off to 200 ms), so it
    /// never blocks a cooperative thread. Two tasks of one process wait for each other too
    /// (`KeyLockTable`). Throws `CancellationError` when the task is cancelled while waiting, and
    /// `CacheKeyError` when the key is not a digest or the lock file cannot be opened.
    public func lock(_ key: String) async throws -> CacheKeyLock {
        try await lock(key, whenBusy: nil)
    }

    /// `lock(_:)`; `whenBusy` runs once if the first attempt finds the key held (tests use it to
    /// order events without timing).
    package func lock(_ key: String, whenBusy: (@Sendable () -> Void)?) async throws -> CacheKeyLock {
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
    package func tryLock(_ key: String) throws -> CacheKeyLock? {
        try Self.validate(key)
        let path = keyLockPath
        do {
            if try KeyLockTable.shared.tryLock(key, in: path) { return CacheKeyLock(key: key, file: path) }
            return nil
        } catch {
            // The cache folder may be missing (first use) or removed since: make it, try once more.
            AtomicFile.forget(directory)
            try AtomicFile.ensureDirectory(directory)
            do {
                return try KeyLockTable.shared.tryLock(key, in: path) ? CacheKeyLock(key: key, file: path) : nil
            } catch {
                throw PosixFile.failure(error.operation + " the key lock file", error.path, code: error.code, label: "cache")
            }
        }
    }
}
