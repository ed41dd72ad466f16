import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A request written byte for byte to a loopback socket, for what an HTTP client would not send:
/// paths with `..` left in, and a `Content-Length` whose body never follows.
enum RawHTTP {
    /// Sends `head` (and `body`), then reads until the response's headers and its
    /// `Content-Length` bytes have arrived or the server closes. Nil when nothing came back within
    /// `waitSeconds` (a generous bound: the assertion is on what arrives, not on when).
    /// Runs on a dispatch thread: a blocking socket must not hold one of the cooperative pool's
    /// threads (two on this machine), which the in-process server needs to answer.
    static func exchange(port: Int, head: String, body: Data = Data(), waitSeconds: Int32 = 60) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: exchangeNow(port: port, head: head, body: body, waitSeconds: waitSeconds))
            }
        }
    }

    static func exchangeNow(port: Int, head: String, body: Data, waitSeconds: Int32) -> String? {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let bytes = Array(head.utf8) + Array(body)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { return nil }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, waitSeconds * 1000) == 1 else { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            received += buffer[0..<n]
            if isComplete(received) { break }
        }
        return received.isEmpty ? nil : String(decoding: received, as: UTF8.self)
    }

    private static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<end.lowerBound].lowercased()
        if head.contains("transfer-encoding: chunked") { return text.hasSuffix("\r\n0\r\n\r\n") }
        let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        return text.utf8.distance(from: end.upperBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex) >= length
    }

    /// The status code of a raw response.
    static func status(_ response: String?) -> Int? {
        guard let line = response?.split(separator: "\r\n").first else { return nil }
        let parts = line.split(separator: " ")
        return parts.count > 1 ? Int(parts[1]) : nil
    }

    /// Connects, sends `text` (perhaps nothing, or half a request), then waits without sending
    /// more: true when the server closes the connection (read returns 0 or fails), false when
    /// `waitSeconds` pass with the connection still open. Runs on a dispatch thread.
    static func closedWhileIdle(port: Int, sending text: String, waitSeconds: Int32 = 120) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                let bytes = Array(text.utf8)
                if connected != 0 || (!bytes.isEmpty && bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) != bytes.count) {
                    continuation.resume(returning: false)
                    return
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    guard poll(&poller, 1, waitSeconds * 1000) == 1 else { continuation.resume(returning: false); return }
                    if recv(fd, &buffer, buffer.count, 0) <= 0 { continuation.resume(returning: true); return }
                }
            }
        }
    }
}
