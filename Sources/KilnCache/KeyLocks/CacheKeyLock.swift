import Synchronization
import KilnCore

/// A held per-key cache lock (`ResultCache.lock(_:)`): the key's byte of `<cache>/keys.lock`
/// (see `KeyLockTable`). Released by `release()` or, at the latest, when the lock is
/// deinitialised; the kernel also releases it when the process dies, so a `kill -9` never leaves
/// a key locked.
public final class CacheKeyLock: Sendable {
    /// The cache key this lock holds.
    public let key: String
    private let file: String
    private let held = Mutex(true)

    package init(key: String, file: String) {
        self.key = key
        self.file = file
    }

    /// Releases the lock. Calling it again does nothing.
    public func release() {
        guard held.withLock({ held in defer { held = false }; return held }) else { return }
        KeyLockTable.shared.unlock(key, in: file)
    }

    deinit {
        release()
    }
}
