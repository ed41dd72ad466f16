/// A scripted answer the fake gives instead of (or before) a normal one, to drive every client path.
public enum FakeFault: Sendable, Hashable {
    /// 429 `rate_limit_exceeded`, with optional `retry-after` / `retry-after-ms` headers.
    case rateLimited(retryAfter: String? = nil, retryAfterMs: String? = nil)
    /// 429 `insufficient_quota` (or `credit_balance_exhausted` when `credit` is true).
    case insufficientQuota(credit: Bool = false)
    /// 500 `server_error` or 503 `server_is_overloaded`.
    case serverError(status: Int = 500)
    /// 400 `moderation_blocked` from the safety system.
    case moderationBlocked
    /// The connection is reset (closed with SO_LINGER 0) and no response is sent.
    case connectionReset
    /// A 200 whose JSON body is cut in half.
    case truncatedBody
    /// A 200 whose `b64_json` is not base64.
    case badBase64
    /// Waits this long, then answers normally.
    case delay(milliseconds: Int)
    /// Answers normally with `x-ratelimit-remaining-requests` / `x-ratelimit-reset-requests`.
    case rateLimitHeaders(remaining: Int, reset: String)
    /// Any status with the error envelope and extra headers (e.g. `x-should-retry`).
    case status(Int, type: String, code: String?, message: String, headers: [String: String] = [:])
}
