import Foundation
import Testing
@testable import KilnServe

@Suite("kiln serve: signed image URLs")
struct ServeSignedURLTests {
    static let secret = "test-url-secret-0123456789abcdef"
    static let config = testConfig { $0.signing.enabled = true; $0.signing.ttlSeconds = 600 }

    @Test("answers carry signed URLs a browser can fetch without a token; tampered, expired and unsigned are 403")
    func signedURLs() async throws {
        try await withServe(Self.config, urlSecret: Self.secret) { serve in
            let reply = try await serve.generate()
            guard let url = reply.string("images", "0", "url"), let digest = reply.digests.first else {
                Issue.record("no url in \(reply.text)"); return
            }
            #expect(url.contains("?exp=") && url.contains("&sig="))
            let path = String(url.dropFirst(serve.url.count))
            let fetched = try await serve.send(.GET, path, token: nil)
            #expect(fetched.status == 200)
            let tampered = path.replacingOccurrences(of: "sig=", with: "sig=0")
            #expect(try await serve.send(.GET, String(tampered.dropLast()), token: nil).status == 403)
            let otherImage = "/images/" + String(repeating: "a", count: 64) + path.drop { $0 != "?" }
            #expect(try await serve.send(.GET, otherImage, token: nil).status == 403)
            let signer = URLSigner(secret: Self.secret, ttlSeconds: 600)!
            let expired = signer.sign("/images/" + digest, now: Date(timeIntervalSinceNow: -3600))
            let old = try await serve.send(.GET, expired, token: nil)
            #expect(old.status == 403)
            #expect(old.errorCode == "expired_signature")
            let unsigned = try await serve.send(.GET, "/images/" + digest, token: nil)
            #expect(unsigned.status == 403)
            // A server-side client with a token may still fetch unsigned.
            #expect(try await serve.send(.GET, "/images/" + digest).status == 200)
            let thumb = signer.sign("/images/\(digest)?w=128")
            #expect(try await serve.send(.GET, thumb, token: nil).status == 200)
            let widened = thumb.replacingOccurrences(of: "w=128", with: "w=256")
            #expect(try await serve.send(.GET, widened, token: nil).status == 403)
        }
    }

    @Test("a signature is checked over path and expiry")
    func signer() {
        let signer = URLSigner(secret: Self.secret, ttlSeconds: 60)!
        let now = Date(timeIntervalSince1970: 1_000_000)
        let signed = signer.sign("/images/x", now: now)
        let query = signed.split(separator: "?")[1].split(separator: "&")
        let exp = String(query[0].dropFirst(4)), sig = String(query[1].dropFirst(4))
        #expect(signer.verify(path: "/images/x", expires: exp, signature: sig, now: now) == .valid)
        #expect(signer.verify(path: "/images/y", expires: exp, signature: sig, now: now) == .invalid)
        #expect(signer.verify(path: "/images/x", expires: String(Int(exp)! + 1), signature: sig, now: now) == .invalid)
        #expect(signer.verify(path: "/images/x", expires: exp, signature: sig, now: now.addingTimeInterval(61)) == .expired)
        #expect(signer.verify(path: "/images/x", expires: nil, signature: nil, now: now) == .missing)
        #expect(URLSigner(secret: "short", ttlSeconds: 60) == nil)
    }
}
