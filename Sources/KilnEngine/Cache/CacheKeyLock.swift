import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A held per-key cache lock (`ResultCache.lock(_:)`): an exclusive `flock` on
/// `locks/<key>.lock`. Released by `release()` or, at the latest, when the lock is deinitialised;
/// the kernel also releases it when the process dies, so a `kill -9` never leaves a key locked.
/// The lock file itself is never removed (removing it would let two holders lock different files).
public final class CacheKeyLock: Sendable {
    /// The cache key this lock holds.
    public let key: String
    private let descriptor: Mutex<Int32?>

    init(key: String, descriptor: Int32) {
        self.key = key
        self.descriptor = Mutex(descriptor)
    }

    /// Releases the lock (closing its file descriptor). Calling it again does nothing.
    public func release() {
        descriptor.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
        }
    }

    deinit {
        release()
    }
}
