import AsyncHTTPClient
import Foundation
import KilnFakeOpenAI
import NIOHTTP1
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import KilnServe

/// The classes the hostile-input review found, each over real sockets: refusals that must not read
/// the rest of a body, clients that dribble or hoard connections, client mistakes that were 500s,
/// prompt lengths counted in the wrong unit, blocked terms hidden by invisible or compatibility
/// characters, routes outside the envelope, builds outside the limits.
@Suite("kiln serve: hostile clients")
struct ServeHostileTests {
    static let chunk = Data(repeating: UInt8(ascii: "a"), count: 64 << 10)

    @Test("a refusal answered before the body (413, 401, 404) closes the connection: the rest of a huge body is never read",
          arguments: [
            ("POST /api/images", "Authorization: Bearer \(aliceToken)\r\nContent-Length: 10000000000\r\n", false, 413),
            ("POST /api/images", "Transfer-Encoding: chunked\r\n", true, 401),
            ("POST /no/such/route", "Authorization: Bearer \(aliceToken)\r\nTransfer-Encoding: chunked\r\n", true, 404),
          ])
    func refusalClosesTheConnection(_ line: String, _ headers: String, _ chunked: Bool, _ status: Int) async throws {
        try await withServe { serve in
            let head = "\(line) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\(headers)\r\n"
            let piece = chunked ? Data((String(Self.chunk.count, radix: 16) + "\r\n").utf8) + Self.chunk + Data("\r\n".utf8) : Self.chunk
            // Up to 2 GB: far more than any socket buffer holds, so only a closed connection stops it early.
            let run = await Socket.sendUntilClosed(port: serve.port, head: head, piece: piece, maxBytes: 2 << 30)
            #expect(RawHTTP.status(run.response) == status, "\(run.response ?? "no answer")")
            #expect(run.response?.lowercased().contains("connection: close") == true, "\(run.response ?? "")")
            #expect(run.closed, "the server kept reading the body (\(run.sent) bytes sent)")
            #expect(run.sent < 1 << 30)
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("a body that trickles in is cut off at body_timeout_seconds with 408, though every byte resets the idle timeout")
    func tricklingBody() async throws {
        try await withServe(testConfig { $0.limits.bodyTimeoutSeconds = 1; $0.limits.readTimeoutSeconds = 30 }) { serve in
            let head = "POST /api/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
            let run = await Socket.sendUntilClosed(port: serve.port, head: head, piece: Data("a".utf8), maxBytes: 100_000,
                                                   pauseMilliseconds: 200)
            #expect(RawHTTP.status(run.response) == 408, "\(run.response ?? "no answer")")
            #expect(run.closed && run.sent < 1000, "\(run.sent) bytes were taken")
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("past max_connections a new connection is closed at once; the open ones are served")
    func connectionCap() async throws {
        try await withServe(testConfig { $0.limits.maxConnections = 2 }) { serve in
            let first = try #require(Socket.connect(port: serve.port)), second = try #require(Socket.connect(port: serve.port))
            defer { close(first); close(second) }
            // Both answered once (kept alive): the server has taken them, not just the kernel.
            let (one, two) = (await Socket.healthz(on: first), await Socket.healthz(on: second))
            #expect(one && two)
            #expect(await RawHTTP.closedWhileIdle(port: serve.port, sending: "", waitSeconds: 20))
            close(first)
            // One left the count: a request goes through again (the count drops as the close is seen).
            var status: Int?
            for _ in 0..<50 where status != 200 {
                status = RawHTTP.status(await RawHTTP.exchange(port: serve.port, head: "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                                               waitSeconds: 5))
                if status != 200 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(status == 200)
        }
    }

    @Test("a malformed chunked body or one cut short is a 400 naming the body, never a 500")
    func malformedBodies() async throws {
        try await withServe { serve in
            let head = "POST /api/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nContent-Type: application/json\r\n"
            let badChunk = await RawHTTP.exchange(port: serve.port, head: head + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
                                                  waitSeconds: 20)
            #expect(RawHTTP.status(badChunk) != 500, "\(badChunk ?? "")")
            #expect([400, nil].contains(RawHTTP.status(badChunk)), "\(badChunk ?? "")")
            let short = await Socket.sendThenHalfClose(port: serve.port, text: head + "Content-Length: 100\r\n\r\n{\"prompt\":\"short\"}")
            #expect(RawHTTP.status(short) != 500, "\(short ?? "")")
            #expect(!serve.logs.text.contains("request failed"), "a client's mistake was logged as a server failure")
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("prompt length counts Unicode code points: 8 letters carrying 40,000 combining marks are refused before any call")
    func promptLengthInCodePoints() async throws {
        try await withServe { serve in
            let heavy = String(repeating: "a" + String(repeating: "\u{0301}", count: 4_999), count: 8)
            #expect(heavy.count == 8 && heavy.unicodeScalars.count == 40_000)
            let body = try JSONSerialization.data(withJSONObject: ["prompt": heavy, "size": "1024x1024", "quality": "low"])
            let reply = try await serve.send(.POST, "/api/images", body: body)
            #expect(reply.status == 400 && reply.errorCode == "string_above_max_length", "\(reply.text.prefix(300))")
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("a blocked term is found through zero-width characters, soft hyphens, fullwidth letters and case",
          arguments: ["ns\u{200B}fw cat", "n\u{00AD}sfw dog", "\u{FF4E}\u{FF53}\u{FF46}\u{FF57} cat", "NS\u{2060}FW", "nsfw"])
    func blockedTermsFolded(_ prompt: String) async throws {
        try await withServe(testConfig { $0.rules.blockedTerms = ["NSFW"] }) { serve in
            let body = try JSONSerialization.data(withJSONObject: ["prompt": prompt, "size": "1024x1024", "quality": "low"])
            let reply = try await serve.send(.POST, "/api/images", body: body)
            #expect(reply.status == 400 && reply.errorCode == "blocked_term", "\(reply.text)")
            #expect(await serve.upstreamCalls == 0)
            // A prompt that only looks alike is not refused.
            #expect(try await serve.generate("a nice fwd arrow").status == 200)
        }
    }

    @Test("a JSON key given twice is refused, naming it, before any call (which one wins differs between parsers)")
    func duplicateKeys() async throws {
        try await withServe(testConfig { $0.rules.blockedTerms = ["nsfw"] }) { serve in
            let reply = try await serve.send(.POST, "/api/images", json: #"{"prompt": "a cat", "prompt": "an nsfw cat"}"#)
            #expect(reply.status == 400 && reply.errorCode == "duplicate_parameter" && reply.errorParam == "prompt", "\(reply.text)")
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("identical requests at once under a tight budget: one pays, the others wait for its answer and are free, none is refused")
    func identicalRequestsDoNotReserveTwice() async throws {
        // Room for one low-quality image (about $0.009), not two.
        try await withServe(testConfig { $0.limits.dailyBudgetUSD = 0.012 },
                            fake: FakeOpenAIConfiguration(apiKey: testKey, latency: .milliseconds(500))) { serve in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<4 { group.addTask { try await serve.generate("the same lighthouse") } }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.map(\.status) == [200, 200, 200, 200], "\(replies.map { "\($0.status) \($0.text.prefix(120))" })")
            #expect(await serve.upstreamCalls == 1)
        }
    }

    @Test("routes that do not exist answer in the error envelope")
    func unknownRoutes() async throws {
        try await withServe { serve in
            for (method, path) in [(HTTPMethod.GET, "/v1/models"), (.POST, "/v1/images/variations"), (.GET, "/images")] {
                let reply = try await serve.send(method, path)
                #expect(reply.status == 404 && reply.errorCode == "not_found", "\(path): \(reply.status) \(reply.text)")
            }
        }
    }

    @Test("builds: only the clients build_clients lists, and inside the client's rate limit")
    func buildsAreLimited() async throws {
        let config = testConfig { $0.buildClients = ["bob"]; $0.limits.ratePerMinute = 1.0 / 1440; $0.limits.burst = 1 }
        try await withServe(config) { serve in
            let alice = try await serve.send(.POST, "/api/builds", json: "{}")
            #expect(alice.status == 403 && alice.errorCode == "builds_not_allowed", "\(alice.text)")
            // bob passes the gate (this server has no project to build: 404), then his bucket is empty.
            #expect(try await serve.send(.POST, "/api/builds", json: "{}", token: bobToken).status == 404)
            #expect(try await serve.send(.POST, "/api/builds", json: "{}", token: bobToken).status == 429)
        }
    }
}

/// Blocking loopback sockets for what an HTTP client will not do; run off the cooperative pool.
enum Socket {
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); return nil }
        return fd
    }

    struct Run: Sendable {
        var response: String?
        var closed: Bool
        var sent: Int
    }

    /// Sends `head`, then `piece` again and again (pausing between pieces when asked) until the
    /// server closes the connection or `maxBytes` are sent; collects whatever the server answers.
    static func sendUntilClosed(port: Int, head: String, piece: Data, maxBytes: Int, pauseMilliseconds: Int = 0) async -> Run {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: sendNow(port: port, head: head, piece: piece, maxBytes: maxBytes, pause: pauseMilliseconds))
            }
        }
    }

    private static func sendNow(port: Int, head: String, piece: Data, maxBytes: Int, pause: Int) -> Run {
        guard let fd = connect(port: port) else { return Run(response: nil, closed: false, sent: 0) }
        defer { close(fd) }
        var received = [UInt8](), buffer = [UInt8](repeating: 0, count: 65536)
        var sent = 0, closed = false
        func drain(wait: Int32) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            while poll(&poller, 1, wait) == 1 {
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n == 0 || (n < 0 && errno != EAGAIN) { closed = true; return }
                if n < 0 { return }
                received += buffer[0..<n]
            }
        }
        let headBytes = Array(head.utf8)
        guard headBytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == headBytes.count else {
            return Run(response: nil, closed: true, sent: 0)
        }
        let deadline = Date().addingTimeInterval(120)
        while !closed, sent < maxBytes, Date() < deadline {
            let n = piece.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { closed = true; break }
            sent += n
            drain(wait: Int32(pause))
        }
        if !closed { drain(wait: 2000) }
        return Run(response: received.isEmpty ? nil : String(decoding: received, as: UTF8.self), closed: closed, sent: sent)
    }

    /// `GET /healthz` on an open connection, kept alive; true when `200` came back.
    static func healthz(on fd: Int32) async -> Bool {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let request = Array("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                var buffer = [UInt8](repeating: 0, count: 4096)
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 20_000) == 1 else { return continuation.resume(returning: false) }
                let n = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: n > 0 && RawHTTP.status(String(decoding: buffer[0..<n], as: UTF8.self)) == 200)
            }
        }
    }

    /// Sends `text`, then half-closes (no more bytes will come) and reads the answer.
    static func sendThenHalfClose(port: Int, text: String) async -> String? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                guard let fd = connect(port: port) else { return continuation.resume(returning: nil) }
                defer { close(fd) }
                let bytes = Array(text.utf8)
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(fd, Int32(SHUT_WR))
                var received = [UInt8](), buffer = [UInt8](repeating: 0, count: 65536)
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                while poll(&poller, 1, 20_000) == 1 {
                    let n = recv(fd, &buffer, buffer.count, 0)
                    guard n > 0 else { break }
                    received += buffer[0..<n]
                }
                continuation.resume(returning: received.isEmpty ? nil : String(decoding: received, as: UTF8.self))
            }
        }
    }
}
