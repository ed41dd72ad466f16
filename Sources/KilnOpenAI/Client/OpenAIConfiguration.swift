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
    /// Seconds to open a connection (TCP, and TLS for https). A healthy connect to OpenAI takes well
    /// under a second; 5 s covers a bad network while a host that drops SYNs (down, firewalled, or with
    /// a full accept queue) is abandoned for a fresh attempt instead of waiting out the kernel's SYN
    /// retries (1, 3, 7, 15, 31, 63 s).
    public var connectTimeout: Double = 5
    /// Deadline per attempt, in seconds (manifest `providers.openai.timeout`). The slowest real
    /// generations (high quality, 1536 px, several images) take up to about two minutes, and an edit
    /// with large inputs spends time uploading first: 300 s is 2.5 times that, where the SDKs' 600 s
    /// would let one silent attempt stall a step for ten minutes.
    public var requestTimeout: Double = 300
    /// Deadline for a whole step across every attempt and backoff, in seconds (manifest
    /// `providers.openai.step_timeout`). nil means `defaultStepTimeout`, or `requestTimeout` when that
    /// is longer, so a raised per-attempt deadline is never cut short by the default.
    public var stepTimeout: Double?
    /// How long a connection may hold request bytes the server has not taken before Kiln abandons it
    /// and retries on a new connection, in seconds. Only bytes still on the way count: once the server's
    /// TCP has acknowledged the whole request, Kiln waits quietly, because OpenAI sends nothing until
    /// the image is ready. See `ProgressWatchdog`.
    public var progressTimeout: Double = 10
    /// The default of `stepTimeout`: three full attempts.
    public static let defaultStepTimeout: Double = 900
    /// The step deadline in force: `stepTimeout`, else the longer of the default and `requestTimeout`.
    public var effectiveStepTimeout: Double { stepTimeout ?? max(Self.defaultStepTimeout, requestTimeout) }
    /// Retries after the first attempt.
    public var retries: Int = 4
    /// The first backoff delay in seconds (doubled each retry), when the server gives no hint.
    public var backoffBase: Double = 0.5
    /// The longest computed backoff, in seconds.
    public var backoffCap: Double = 8
    /// The first backoff after a connection could not be opened (refused, unreachable, connect timeout),
    /// doubled each retry up to `connectBackoffCap`. Nothing was sent, so nothing can be billed twice,
    /// and a refused connection costs one round trip: retrying quickly keeps the whole failure (five
    /// attempts by default: 0.1 + 0.2 + 0.4 + 0.8 s of waits) within seconds.
    public var connectBackoffBase: Double = 0.1
    /// The longest backoff after a connection failure, in seconds.
    public var connectBackoffCap: Double = 1
    /// The longest server-requested delay (`retry-after`, `retry-after-ms`) Kiln honours, in seconds.
    public var maxRetryAfter: Double = 120
    /// The largest response body accepted, in bytes (n × base64 images plus the envelope).
    public var maxResponseBytes: Int = 512 * 1024 * 1024
    /// Requests in flight at once per model; nil for the default (16).
    public var maxInFlight: Int?
    /// Requests started per minute per model; nil for no limit beyond what the server reports.
    public var requestsPerMinute: Int?
    /// The most requests the caller ever has in flight across models (`kiln build --jobs`); the
    /// connection pool keeps at least that many connections per host, so no setting is silently
    /// capped by the pool. nil: `max_in_flight` (or its default) decides.
    public var callerConcurrency: Int?

    /// Connections the pool may open to one host: enough for every request Kiln lets be in flight
    /// at once (`--jobs`, `max_in_flight`), and at least 256 as before. Opened on demand only.
    public var connectionsPerHost: Int {
        max(256, callerConcurrency ?? 0, maxInFlight ?? 0)
    }

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
        if let step = settings?.stepTimeoutSeconds, step > 0 { stepTimeout = step }
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
            + "project: \(project ?? "-"), retries: \(retries), connectTimeout: \(connectTimeout)s, "
            + "requestTimeout: \(requestTimeout)s, stepTimeout: \(effectiveStepTimeout)s)"
    }
}
