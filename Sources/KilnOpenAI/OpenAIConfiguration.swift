import Foundation
import KilnCore

/// How Kiln reaches the OpenAI Images API: endpoint, credentials, headers, timeouts and retry limits.
///
/// Built from the environment (the official SDKs' variable names) and the manifest's
/// `providers.openai` settings. The manifest can set everything except the key. The key never
/// appears in `description`, errors or logs.
public struct OpenAIConfiguration: Sendable, CustomStringConvertible {
    /// The Kiln version named in `User-Agent`.
    public static let defaultKilnVersion = "0.1.0"
    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// API base URL without a trailing slash, e.g. `https://api.openai.com/v1`.
    public var baseURL: String
    /// `OPENAI_API_KEY`; nil when unset (every call then fails with an authentication error).
    public var apiKey: String?
    /// `OpenAI-Organization`, from `OPENAI_ORG_ID`.
    public var organization: String?
    /// `OpenAI-Project`, from `OPENAI_PROJECT_ID`.
    public var project: String?
    public var userAgent: String
    /// Extra headers from the manifest (an `Authorization` entry is ignored: the key comes from the environment).
    public var extraHeaders: [String: String]
    /// Seconds to open a connection.
    public var connectTimeout: Double = 10
    /// Deadline per attempt, in seconds. Generations can take minutes, so the default is generous.
    public var requestTimeout: Double = 600
    /// Retries after the first attempt.
    public var retries: Int = 4
    /// The first backoff delay in seconds (doubled each retry), when the server gives no hint.
    public var backoffBase: Double = 0.5
    /// The longest computed backoff, in seconds.
    public var backoffCap: Double = 8
    /// The longest server-requested delay (`retry-after`, `retry-after-ms`) Kiln honours, in seconds.
    public var maxRetryAfter: Double = 120
    /// The largest response body accepted, in bytes (n × base64 images plus the envelope).
    public var maxResponseBytes: Int = 512 * 1024 * 1024
    /// Requests in flight at once per model; nil for the default (16).
    public var maxInFlight: Int?
    /// Requests started per minute per model; nil for no limit beyond what the server reports.
    public var requestsPerMinute: Int?

    /// Reads `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID` from
    /// `environment`, then applies the manifest's settings (base URL, headers, limits, retries, timeout).
    /// The manifest's base URL wins over the environment's, since it is the more specific choice.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                settings: ProviderSettings? = nil, kilnVersion: String = defaultKilnVersion) {
        func nonEmpty(_ key: String) -> String? {
            guard let value = environment[key]?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !value.isEmpty else { return nil }
            return value
        }
        let base = settings?.baseURL ?? nonEmpty("OPENAI_BASE_URL") ?? Self.defaultBaseURL
        baseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        apiKey = nonEmpty("OPENAI_API_KEY")
        organization = nonEmpty("OPENAI_ORG_ID")
        project = nonEmpty("OPENAI_PROJECT_ID")
        userAgent = "kiln/\(kilnVersion)"
        extraHeaders = (settings?.headers ?? [:]).filter { $0.key.lowercased() != "authorization" }
        if let retries = settings?.retries { self.retries = max(0, retries) }
        if let timeout = settings?.timeoutSeconds, timeout > 0 { requestTimeout = timeout }
        maxInFlight = settings?.maxInFlight
        requestsPerMinute = settings?.requestsPerMinute
    }

    /// The headers every request carries, key included.
    func standardHeaders() -> [(String, String)] {
        var headers: [(String, String)] = [("User-Agent", userAgent), ("Accept", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        if let organization { headers.append(("OpenAI-Organization", organization)) }
        if let project { headers.append(("OpenAI-Project", project)) }
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        return headers
    }

    /// Secrets to scrub from anything echoed back: the key itself.
    var secrets: [String] { apiKey.map { [$0] } ?? [] }

    public var description: String {
        let key = apiKey == nil ? "unset" : "set (redacted)"
        return "OpenAIConfiguration(baseURL: \(baseURL), apiKey: \(key), organization: \(organization ?? "-"), "
            + "project: \(project ?? "-"), retries: \(retries), requestTimeout: \(requestTimeout)s)"
    }
}
