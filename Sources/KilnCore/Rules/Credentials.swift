import Foundation

/// Which environment variables carry credentials, and a screen that finds their values in text.
///
/// Templates may read the environment (`{{env.NAME}}`), and what they render reaches request
/// bodies, `kiln.lock`, `outputs/manifest.json`, file names and build output. So a credential must
/// never be readable by a template: names that look like one are refused when a manifest is
/// validated (a harmless name that matches is listed under `env_not_secret:`), and the variables
/// Kiln itself reads a key from are refused always. As a second line of defence, every rendered
/// string is screened for the values of those variables before anything is written, sent or printed.
public enum Credentials {
    /// The variables Kiln (or the SDKs whose conventions it follows) reads a secret from. A manifest
    /// can never opt these in.
    public static let keyVariables: Set<String> = [
        "OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "AZURE_OPENAI_API_KEY", "KILN_CACHE_SIGNING_KEY",
        "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
        "KILN_REMOTE_CACHE_TOKEN", "KILN_REMOTE_CACHE_PASSWORD",
    ]

    /// Word parts that mark a name as a credential, in any case: `GITHUB_TOKEN`, `stripe_key`,
    /// `AWS_SECRET_ACCESS_KEY`, `SLACK_TOKEN_ID`, `dbPassword`, `OAUTH_CLIENT`.
    public static let markers = ["KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"]

    /// The marker a variable name contains (matched anywhere in the name, ignoring case), or nil
    /// when the name does not look like a credential.
    public static func marker(in name: String) -> String? {
        let upper = name.uppercased()
        if keyVariables.contains(upper) { return upper }
        return markers.first { upper.contains($0) }
    }

    /// Whether a template may read `name` given the manifest's `env_not_secret:` list.
    public static func mayRead(_ name: String, notSecret: Set<String>) -> Bool {
        guard marker(in: name) != nil else { return true }
        return notSecret.contains(name) && !keyVariables.contains(name.uppercased())
    }
}

/// The secret values present in an environment, to find in rendered text before it leaves Kiln.
/// It never reports a value, only which variable's value was found.
public struct SecretScreen: Sendable {
    /// Variable name and value, longest value first (so a key containing another is named).
    private let secrets: [(name: String, value: String)]

    /// The values of Kiln's key variables (8 characters or more) and of every other variable whose
    /// name looks like a credential (16 or more: short values such as `1` would match everywhere).
    public init(environment: [String: String]) {
        var found = [(name: String, value: String)]()
        for (name, value) in environment {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            let isKey = Credentials.keyVariables.contains(name.uppercased())
            guard Credentials.marker(in: name) != nil, trimmed.utf8.count >= (isKey ? 8 : 16) else { continue }
            found.append((name, trimmed))
        }
        secrets = found.sorted { ($0.value.utf8.count, $1.name) > ($1.value.utf8.count, $0.name) }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    /// `text` with every secret value replaced by `[value of NAME]`: the last guard on anything Kiln
    /// prints (a diagnostic that quotes what a manifest wrote, a name, a path).
    public func redact(_ text: String) -> String {
        guard !secrets.isEmpty else { return text }
        var out = text
        for secret in secrets where out.contains(secret.value) {
            out = out.replacingOccurrences(of: secret.value, with: "[value of \(secret.name)]")
        }
        return out
    }

    /// The name of the variable whose value `text` contains, or nil.
    public func variable(foundIn text: String) -> String? {
        guard !secrets.isEmpty, !text.isEmpty else { return nil }
        return secrets.first { text.contains($0.value) }?.name
    }
}
