import Foundation
import NIOCore

/// Stalls the watchdogs saw, for the attempts they failed to claim. AsyncHTTPClient closes a
/// connection before it fails the request on it, so the request usually fails with "remote connection
/// closed" rather than the watchdog's `ConnectionStalled`; the failed attempt then claims the stall
/// recorded since it began (each stall closes one HTTP/1 connection, which fails one request).
final class StallLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stalls: [(at: NIODeadline, stall: ConnectionStalled)] = []

    func record(_ stall: ConnectionStalled) {
        lock.withLock {
            stalls.append((.now(), stall))
            if stalls.count > 256 { stalls.removeFirst(stalls.count - 256) }
        }
    }

    /// Takes the oldest stall recorded at or after `since`, if any.
    func claim(since: NIODeadline) -> ConnectionStalled? {
        lock.withLock {
            guard let index = stalls.firstIndex(where: { $0.at >= since }) else { return nil }
            return stalls.remove(at: index).stall
        }
    }
}
