import Crypto
import Foundation

/// Signed image URLs: `?exp=<unix seconds>&sig=<hex HMAC-SHA256(secret, path + "\n" + exp)>`. A
/// browser's `<img>` cannot send a bearer token, so an image route accepts a valid signature
/// instead; the path is signed whole (digest and width), so a signature opens one URL only.
public struct URLSigner: Sendable {
    private let key: SymmetricKey
    public let ttlSeconds: Int

    /// Nil when the secret is shorter than 16 bytes (too easy to guess).
    public init?(secret: String, ttlSeconds: Int) {
        guard secret.utf8.count >= 16 else { return nil }
        key = SymmetricKey(data: Data(secret.utf8))
        self.ttlSeconds = ttlSeconds
    }

    /// `path` (with `?w=` when there is one) with `exp` and `sig` added.
    public func sign(_ path: String, now: Date = Date()) -> String {
        let expires = Int(now.timeIntervalSince1970) + ttlSeconds
        let separator = path.contains("?") ? "&" : "?"
        return path + separator + "exp=\(expires)&sig=" + signature(path, expires: expires)
    }

    public enum Verdict: Sendable, Equatable { case valid, missing, expired, invalid }

    /// Checks the signature of `path` (without `exp` and `sig`) in constant time.
    public func verify(path: String, expires: String?, signature given: String?, now: Date = Date()) -> Verdict {
        guard let expires, let given else { return expires == nil && given == nil ? .missing : .invalid }
        guard let seconds = Int(expires) else { return .invalid }
        let expected = Array(signature(path, expires: seconds).utf8)
        let presented = Array(given.utf8)
        var difference = UInt8(expected.count == presented.count ? 0 : 1)
        for i in 0..<expected.count { difference |= expected[i] ^ (i < presented.count ? presented[i] : 0) }
        guard difference == 0 else { return .invalid }
        return seconds >= Int(now.timeIntervalSince1970) ? .valid : .expired
    }

    private func signature(_ path: String, expires: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((path + "\n" + String(expires)).utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
