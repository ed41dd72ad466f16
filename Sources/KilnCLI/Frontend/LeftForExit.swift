import Synchronization

/// Values a command is done with, kept until the process exits so that the exit reclaims their
/// memory at once instead of freeing them object by object (clang's `-disable-free` does the
/// same): freeing a 10,000-step plan, its lockfile and its stat cache was a tenth of a no-op
/// build. Only the commands hand values over, as their last act; the library and the tests free
/// theirs as usual.
enum LeftForExit {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ value: any Sendable) {
        kept.withLock { $0.append(value) }
    }
}
