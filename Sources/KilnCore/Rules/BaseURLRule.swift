import Foundation

/// What an API base URL must be, wherever it comes from (`providers.NAME.base_url`, rendered from
/// the environment, or `OPENAI_BASE_URL`): `http://` or `https://`, a host, a port 1–65535 when one
/// is written, a path, no query or fragment, no whitespace or control characters.
public enum BaseURLRule {
    /// Why `text` cannot be a base URL, or nil when it can.
    public static func problem(_ text: String) -> String? {
        if text.isEmpty { return "is empty" }
        if text.unicodeScalars.contains(where: { PathRules.isControl($0) || $0.properties.isWhitespace }) {
            return "contains whitespace or a control character"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "is not a URL"
        }
        guard scheme == "http" || scheme == "https" else { return "must start with http:// or https://, not \(scheme):" }
        guard let host = components.host, !host.isEmpty else { return "has no host" }
        if let port = components.port, !(1...65_535).contains(port) { return "has port \(port); ports are 1–65535" }
        if text.range(of: #"^[A-Za-z]+://[^/]*:[0-9]{6,}"#, options: .regularExpression) != nil { return "has a port beyond 65535" }
        if components.query != nil || components.fragment != nil { return "may not have a query (?…) or fragment (#…)" }
        return nil
    }
}
