import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `<pid>-<n>`: the unique part of every temp file name this process writes.
///
/// The pid lets a later build tell a dead writer's leftovers from a live one's (`ProcessLiveness`).
/// `n` counts up from a random start, so names never repeat within the process and a reused pid
/// does not meet its predecessor's leftovers, without a `getpid` and a `getrandom` system call for
/// each of the thousands of files a build writes.
package enum TemporaryName {
    private static let pid = getpid()
    private static let counter = Atomic<UInt64>(UInt64.random(in: 0...(UInt64.max >> 8)))

    package static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(pid)-\(String(n, radix: 36))"
    }
}
