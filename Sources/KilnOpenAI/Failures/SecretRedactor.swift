import Foundation

/// Scrubs secrets from text that came back from the network or is about to be logged:
/// the configured key, anything shaped like an OpenAI key (`sk-…`), and `Bearer` / `Authorization` values.
public struct SecretRedactor: Sendable {
    public static let mask = "[redacted]"
    private let secrets: [String]

    public init(secrets: [String]) {
        self.secrets = secrets.filter { $0.count >= 4 }
    }

    /// `text` with every secret replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        let patterns = [
            #"sk-[A-Za-z0-9_\-\*\.]{2,}"#,
            #"(?i)(bearer\s+)[^\s"',;]+"#,
            #"(?i)(authorization["']?\s*[:=]\s*["']?)[^"',;\r\n]+"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(result.startIndex..., in: result)
            let template = regex.numberOfCaptureGroups > 0 ? "$1\(Self.mask)" : Self.mask
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }
}
