import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AWS Signature Version 4 for S3, written from the specification with swift-crypto (no AWS SDK):
/// the canonical request, the string to sign, the signing key derived from the secret by day,
/// region and service, and the `Authorization` header; `SigV4Signer+Presign.swift` signs URLs.
/// Checked byte for byte against botocore's output (`Tests/KilnRemoteCacheTests/Fixtures`).
struct SigV4Signer: Sendable {
    var credentials: S3Credentials
    var region: String
    var service = "s3"

    static let algorithm = "AWS4-HMAC-SHA256"
    /// The payload hash that leaves the body out of the signature.
    static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The parts of a request that are signed.
    struct Request {
        var method: String
        /// The URL as it is sent: its path and query already percent-encoded.
        var url: URL
        /// Headers to sign besides `host` and the `x-amz-*` ones the signer adds (e.g. Content-Type).
        var headers: [(name: String, value: String)] = []
        /// The body's SHA-256 as lowercase hex, or `unsignedPayload`.
        var payloadSHA256: String
    }

    /// What signing produced: the headers to send, and the intermediate strings (for tests and for
    /// comparing with a store's `SignatureDoesNotMatch` answer).
    struct Signed {
        /// `Host`, `X-Amz-Date`, `X-Amz-Content-SHA256`, `X-Amz-Security-Token` (with a session
        /// token) and `Authorization`, to add to the request's own headers.
        var headers: [(name: String, value: String)]
        var canonicalRequest: String
        var stringToSign: String
        var authorization: String
    }

    /// Signs `request` as made at `date`.
    func sign(_ request: Request, at date: Date) -> Signed {
        let stamp = Self.timestamp(date)
        let host = Self.hostHeader(request.url)
        var added = [("X-Amz-Date", stamp), ("X-Amz-Content-SHA256", request.payloadSHA256)]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token)) }
        let signedPairs = Self.canonicalHeaders([("host", host)] + request.headers + added)
        let signedNames = signedPairs.map(\.name).joined(separator: ";")
        let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false)
        let canonical = [
            request.method,
            AWSURIEncoding.canonicalPath(components?.percentEncodedPath ?? ""),
            AWSURIEncoding.canonicalQuery(components?.percentEncodedQuery),
            signedPairs.map { "\($0.name):\($0.value)\n" }.joined(),
            signedNames,
            request.payloadSHA256,
        ].joined(separator: "\n")
        let toSign = stringToSign(canonical, timestamp: stamp)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(stamp)), "
            + "SignedHeaders=\(signedNames), Signature=\(signature(toSign, timestamp: stamp))"
        return Signed(headers: [("Host", host)] + added + [("Authorization", authorization)],
                      canonicalRequest: canonical, stringToSign: toSign, authorization: authorization)
    }

    /// `AWS4-HMAC-SHA256`, the time, the scope and the canonical request's SHA-256, one a line.
    func stringToSign(_ canonicalRequest: String, timestamp: String) -> String {
        [Self.algorithm, timestamp, scope(timestamp), Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))]
            .joined(separator: "\n")
    }

    /// `20130524/us-east-1/s3/aws4_request`.
    func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// The hex HMAC of `stringToSign` under the key derived for the day, region and service.
    func signature(_ stringToSign: String, timestamp: String) -> String {
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [String(timestamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
    }

    /// Names lowercased, values trimmed with inner runs of spaces made one, repeated names joined
    /// with `,`, sorted by name.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            merged[name.lowercased(), default: []].append(trimmed)
        }
        return merged.keys.sorted().map { ($0, merged[$0]!.joined(separator: ",")) }
    }

    /// The Host header for `url`: the host (an IPv6 address in brackets), and the port unless it is
    /// the scheme's default.
    static func hostHeader(_ url: URL) -> String {
        var host = url.host ?? ""
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        guard let port = url.port else { return host }
        let standard = url.scheme?.lowercased() == "https" ? 443 : 80
        return port == standard ? host : "\(host):\(port)"
    }

    /// `20130524T000000Z`: the date in UTC, as `X-Amz-Date` carries it.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
