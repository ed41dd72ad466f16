import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Plain loopback sockets for the stall tests: a listener the test never `accept()`s (the kernel
/// completes handshakes into its accept queue and nobody reads), and a port nobody listens on.
final class RawListener: @unchecked Sendable {
    let fd: CInt
    let port: Int
    private var fillers: [CInt] = []

    /// - Parameters:
    ///   - listening: false binds a port without listening on it, so a connect is refused.
    ///   - backlog: the accept queue's length (`listen(2)`'s backlog).
    ///   - receiveBuffer: SO_RCVBUF for accepted connections, to make the server's window small.
    init(listening: Bool = true, backlog: CInt = 8, receiveBuffer: CInt? = nil) throws {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<CInt>.size))
        }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, !listening || listen(fd, backlog) == 0 else { Glibc.close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Opens a connection the listener never accepts, taking one place in its accept queue.
    /// Waits at most two seconds for the handshake.
    @discardableResult
    func fill() -> Bool {
        let client = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        var address = Self.loopback(port: port)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var poller = pollfd(fd: client, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, 2000) == 1
        fillers.append(client)
        return ready
    }

    /// The connections waiting in the accept queue, taken off it (each attempt's own connection).
    func drainAcceptQueue() -> Int {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var count = 0
        while true {
            let accepted = accept(fd, nil, nil)
            if accepted < 0 { return count }
            count += 1
            Glibc.close(accepted)
        }
    }

    func close() {
        for filler in fillers { Glibc.close(filler) }
        Glibc.close(fd)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
