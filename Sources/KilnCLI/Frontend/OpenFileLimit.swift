#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A build holds a socket per request in flight (up to `--jobs 1000`) plus the files it writes;
/// the usual soft limit of 1,024 open files would fail such a build with "too many open files".
/// Raised to the hard limit at start-up (capped at 65,536), as Go and Rust's cargo do.
enum OpenFileLimit {
    static let wanted: rlim_t = 65_536

    /// Raises the soft limit; returns the limit now in force.
    @discardableResult
    static func raise() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        let target = min(limit.rlim_max, wanted)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
