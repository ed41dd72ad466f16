import Foundation
import KilnTestSupport
import KilnCore
@testable import KilnRemoteCache
import Testing

/// The signer against botocore's own output (`Fixtures/sigv4_vectors.json`, from
/// /work/shared/s3/make_sigv4_vectors.py): every case, every intermediate string, byte for byte.
@Suite struct SigV4SignerTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var url: String
        var headers_before_signing: [String: String]?
        var body: String?
        var region: String
        var time: String
        var access_key: String
        var secret_key: String
        var session_token: String?
        var signed_headers: [String: String]?
        var canonical_request: String?
        var string_to_sign: String?
        var authorization: String?
        var expires: Int?
        var presigned_url: String?

        var testDescription: String { name }
        var signer: SigV4Signer {
            SigV4Signer(credentials: S3Credentials(accessKeyID: access_key, secretAccessKey: secret_key,
                                                   sessionToken: session_token), region: region)
        }
    }

    static let vectors: [Vector] = {
        struct File: Decodable { var cases: [Vector] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/sigv4_vectors.json")
        return (try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases) ?? []
    }()

    /// `20130524T000000Z` as a date.
    static func date(_ stamp: String) -> Date {
        var parts = DateComponents()
        let digits = Array(stamp.utf8).map { Int($0) - 48 }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
        (parts.year, parts.month, parts.day) = (number(0..<4), number(4..<6), number(6..<8))
        (parts.hour, parts.minute, parts.second) = (number(9..<11), number(11..<13), number(13..<15))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: parts)!
    }

    @Test func everyVectorIsRead() {
        #expect(Self.vectors.count == 9, "sigv4_vectors.json has 9 cases (8 signed requests, 1 presigned URL)")
        #expect(Self.vectors.filter { $0.presigned_url != nil }.count == 1)
    }

    @Test(arguments: vectors.filter { $0.presigned_url == nil })
    func headerSigningMatchesBotocore(_ vector: Vector) throws {
        let expected = try #require(vector.signed_headers)
        let payload = try #require(expected["X-Amz-Content-SHA256"])
        if payload != SigV4Signer.unsignedPayload {
            // The payload hash botocore signed is the body's SHA-256.
            #expect(payload == Digest.sha256(Data((vector.body ?? "").utf8)))
        }
        let own = (vector.headers_before_signing ?? [:]).map { (name: $0.key, value: $0.value) }
        let request = SigV4Signer.Request(method: vector.method, url: try #require(URL(string: vector.url)),
                                          headers: own, payloadSHA256: payload)
        let signed = vector.signer.sign(request, at: Self.date(vector.time))
        #expect(signed.canonicalRequest == vector.canonical_request)
        #expect(signed.stringToSign == vector.string_to_sign)
        #expect(signed.authorization == vector.authorization)
        // Every header botocore added, with the same value (names compared without case).
        var sent: [String: String] = [:]
        for (name, value) in signed.headers { sent[name.lowercased()] = value }
        for (name, value) in expected where (vector.headers_before_signing ?? [:])[name] == nil {
            #expect(sent[name.lowercased()] == value, "\(name)")
        }
        #expect(sent["host"] == URL(string: vector.url).map(SigV4Signer.hostHeader))
    }

    @Test func presignedURLMatchesBotocore() throws {
        let vector = try #require(Self.vectors.first { $0.presigned_url != nil })
        let url = vector.signer.presignedURL(method: vector.method, url: try #require(URL(string: vector.url)),
                                             expires: try #require(vector.expires), at: Self.date(vector.time))
        #expect(url == vector.presigned_url)
    }

    @Test func pathsAndQueriesAreEncodedByAWSRules() {
        #expect(AWSURIEncoding.encode("outputs/hero images/café.png", keepSlash: true) == "outputs/hero%20images/caf%C3%A9.png")
        #expect(AWSURIEncoding.encode("a/b~c_d-e.f+g=h*") == "a%2Fb~c_d-e.f%2Bg%3Dh%2A")
        #expect(AWSURIEncoding.canonicalPath("/a%7eb/%41") == "/a~b/A", "decoded, then encoded the one way AWS wants")
        #expect(AWSURIEncoding.canonicalPath("") == "/")
        #expect(AWSURIEncoding.canonicalQuery("b=2&a=z&a=y&c") == "a=y&a=z&b=2&c=")
        #expect(SigV4Signer.hostHeader(URL(string: "http://[::1]:9000/b")!) == "[::1]:9000")
        #expect(SigV4Signer.hostHeader(URL(string: "https://s3.example.com:443/b")!) == "s3.example.com")
    }

    @Test func theTimestampIsUTC() {
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 1_369_353_600.9)) == "20130524T000000Z")
        #expect(SigV4Signer.timestamp(Self.date("20261203T235959Z")) == "20261203T235959Z")
    }
}
