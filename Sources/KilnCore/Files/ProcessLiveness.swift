#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a process id names a running process: how temp files and locks left by a killed build
/// are told apart from those of a build still running.
package enum ProcessLiveness {
    /// `kill(pid, 0)`: alive unless the system says there is no such process. A process of
    /// another user (EPERM) counts as alive.
    package static func isAlive(_ pid: Int32) -> Bool {
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }
}
