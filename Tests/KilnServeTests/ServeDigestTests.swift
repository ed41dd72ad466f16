import Foundation
import KilnCore
import Testing
@testable import KilnServe

@Suite("kiln serve: GET /images/{digest}")
struct ServeDigestTests {
    @Test("anything but 64 lowercase hex digits is 400, whatever way it tries to leave the folder")
    func traversal() async throws {
        try await withServe { serve in
            let digest = try await serve.generate().digests[0]
            let attempts = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd", "%2e%2e",
                            digest.uppercased(), String(digest.dropLast()), digest + "0", digest + "/..", "..",
                            digest.prefix(2) + "/" + digest, "\(digest)%00"]
            for attempt in attempts {
                let raw = await RawHTTP.exchange(port: serve.port,
                                           head: "GET /images/\(attempt) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\nConnection: close\r\n\r\n")
                #expect(RawHTTP.status(raw) == 400, "\(attempt): \(raw ?? "no answer")")
            }
            let ok = try await serve.send(.GET, "/images/" + digest)
            #expect(ok.status == 200)
        }
    }

    @Test("immutable caching: ETag is the digest, If-None-Match gives 304, HEAD has the headers without the body")
    func conditionalAndHead() async throws {
        try await withServe { serve in
            let digest = try await serve.generate().digests[0]
            let full = try await serve.send(.GET, "/images/" + digest)
            #expect(full.header("etag") == "\"\(digest)\"")
            #expect(full.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(full.header("content-type") == "image/png")
            let again = try await serve.send(.GET, "/images/" + digest, headers: [("If-None-Match", "\"\(digest)\"")])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            let other = try await serve.send(.GET, "/images/" + digest, headers: [("If-None-Match", "\"abc\"")])
            #expect(other.status == 200)
            let head = try await serve.send(.HEAD, "/images/" + digest)
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.header("content-length") == String(full.body.count))
            let missing = try await serve.send(.GET, "/images/" + String(repeating: "0", count: 64))
            #expect(missing.status == 404)
        }
    }

    @Test("a single byte range is 206 with those bytes; an unsatisfiable or malformed one is 416")
    func ranges() async throws {
        try await withServe { serve in
            let digest = try await serve.generate().digests[0]
            let full = try await serve.send(.GET, "/images/" + digest).body
            let part = try await serve.send(.GET, "/images/" + digest, headers: [("Range", "bytes=0-99")])
            #expect(part.status == 206)
            #expect(part.body == full.prefix(100))
            #expect(part.header("content-range") == "bytes 0-99/\(full.count)")
            let tail = try await serve.send(.GET, "/images/" + digest, headers: [("Range", "bytes=-10")])
            #expect(tail.status == 206)
            #expect(tail.body == full.suffix(10))
            let open = try await serve.send(.GET, "/images/" + digest, headers: [("Range", "bytes=\(full.count - 5)-")])
            #expect(open.body == full.suffix(5))
            for bad in ["bytes=\(full.count)-", "bytes=50-10", "lines=0-1", "bytes=abc"] {
                let reply = try await serve.send(.GET, "/images/" + digest, headers: [("Range", bad)])
                #expect(reply.status == 416, "\(bad)")
                #expect(reply.header("content-range") == "bytes */\(full.count)")
            }
        }
    }

    @Test("?w= makes a WebP thumbnail once and keeps it in the cache; other widths are refused")
    func thumbnails() async throws {
        try await withServe { serve in
            let digest = try await serve.generate().digests[0]
            let thumb = try await serve.send(.GET, "/images/\(digest)?w=256")
            #expect(thumb.status == 200)
            #expect(thumb.header("content-type") == "image/webp")
            #expect(ImageFormat(sniffing: thumb.body) == .webp)
            let kept = serve.cacheDirectory.appendingPathComponent("thumbs/\(digest.prefix(2))/\(digest).webp")
            #expect(try Data(contentsOf: kept) == thumb.body)
            // Served from the cache from now on: a marker written in its place comes back as it is.
            let marker = Data("kept, not made again".utf8)
            try marker.write(to: kept)
            #expect(try await serve.send(.GET, "/images/\(digest)?w=256").body == marker)
            let small = try await serve.send(.GET, "/images/\(digest)?w=64")
            #expect(small.status == 200)
            #expect(FileManager.default.fileExists(atPath: kept.deletingLastPathComponent().appendingPathComponent("\(digest)-64.webp").path))
            let odd = try await serve.send(.GET, "/images/\(digest)?w=300")
            #expect(odd.status == 400)
            #expect(odd.errorParam == "w")
        }
    }
}
