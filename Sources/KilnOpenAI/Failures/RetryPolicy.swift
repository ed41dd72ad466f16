import Foundation

/// When to retry a failed attempt and how long to wait, following the official SDKs:
/// `x-should-retry` decides first; server hints (`retry-after-ms`, `retry-after` in seconds or as an
/// HTTP date) are honoured when 0 < d ≤ `maxRetryAfter`; otherwise `min(base·2ⁿ, cap) × (1 − 0.25·random)`.
public struct RetryPolicy: Sendable {
    public var retries: Int
    public var backoffBase: Double
    public var backoffCap: Double
    public var maxRetryAfter: Double

    public init(retries: Int, backoffBase: Double = 0.5, backoffCap: Double = 8, maxRetryAfter: Double = 120) {
        self.retries = retries
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.maxRetryAfter = maxRetryAfter
    }

    /// Whether a status is worth retrying when the server says nothing (408, 409, 429, ≥ 500).
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }

    /// `x-should-retry: true|false`, or nil when absent.
    public static func shouldRetryHeader(_ value: String?) -> Bool? {
        switch value?.lowercased() {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// The delay in seconds before retry number `attempt` (0 for the first retry).
    /// - Parameters:
    ///   - retryAfterMs: the `retry-after-ms` header.
    ///   - retryAfter: the `retry-after` header (seconds, or an HTTP date).
    public func delay(attempt: Int, retryAfterMs: String?, retryAfter: String?, now: Date, random: Double) -> Double {
        if let hinted = Self.hintedDelay(retryAfterMs: retryAfterMs, retryAfter: retryAfter, now: now),
           hinted > 0, hinted <= maxRetryAfter {
            return hinted
        }
        let exponential = min(backoffBase * pow(2, Double(max(0, attempt))), backoffCap)
        return exponential * (1 - 0.25 * min(max(random, 0), 1))
    }

    /// The server's requested delay in seconds, if it gave one.
    static func hintedDelay(retryAfterMs: String?, retryAfter: String?, now: Date) -> Double? {
        if let ms = retryAfterMs.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) {
            return ms / 1000
        }
        guard let text = retryAfter?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Double(text) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return date.timeIntervalSince(now)
    }
}
