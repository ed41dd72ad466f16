import Synchronization

/// Values a command is done with, kept until the process exits so that the exit reclaims their
/// memory at once instead of freeing them object by object (clang's `-disable-free` does the
/// same): in `perf`, freeing a 10,000-step plan, its lockfile and its stat cache (swift_release
/// and dealloc) was about 7% of a no-op build's CPU. Only the commands hand values over, as their
/// last act; the library and the tests free theirs as usual.
enum LeftForExit {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ value: any Sendable) {
        kept.withLock { $0.append(value) }
    }
}
