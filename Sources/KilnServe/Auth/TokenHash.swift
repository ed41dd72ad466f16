import Crypto
import Foundation

/// Client tokens: how they look, how they are hashed, and how a presented one is matched.
/// The configuration holds only SHA-256 hashes, so a leaked `serve.yaml` leaks no token.
public enum TokenHash {
    /// The prefix of every token Kiln issues (easy to spot in a leaked log or a secret scanner).
    public static let prefix = "kiln_"

    /// SHA-256 of the token's UTF-8 bytes, as 64 lowercase hex digits.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A fresh token: 32 bytes from the system's CSPRNG, base64url without padding, `kiln_` first.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func isValidName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) }
    }

    /// 64 hex digits → 32 bytes (nil for anything else).
    static func bytes(ofHex hex: String) -> [UInt8]? {
        guard isDigest(hex) else { return nil }
        var out = [UInt8](), high: UInt8?
        for c in hex.utf8 {
            let v = c <= 57 ? c - 48 : c - 87
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}

/// Matches a presented bearer token against the configured hashes in constant time: the token is
/// hashed, then compared with every entry (no early exit, no short-circuit on the first byte), so
/// neither the time nor the order of the entries says how close a guess was.
public struct TokenAuthenticator: Sendable {
    private let entries: [(name: String, digest: [UInt8])]

    public init(tokens: [ServeConfig.Token]) {
        entries = tokens.compactMap { token in TokenHash.bytes(ofHex: token.sha256).map { (token.name, $0) } }
    }

    /// The client name for `token`, or nil when it matches no entry.
    public func client(for token: String) -> String? {
        let presented = Array(SHA256.hash(data: Data(token.utf8)))
        var found: String?
        for entry in entries {
            var difference: UInt8 = 0
            for i in 0..<32 { difference |= entry.digest[i] ^ presented[i] }
            if difference == 0 { found = entry.name }
        }
        return found
    }

    /// The token of an `Authorization: Bearer …` value (nil for another scheme or an empty one).
    public static func bearer(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
