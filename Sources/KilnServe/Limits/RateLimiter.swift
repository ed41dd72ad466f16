import Foundation

/// A token bucket per client: `burst` requests at once, refilled at `perMinute`. A request that
/// finds the bucket empty is refused with the whole seconds until the next token (`Retry-After`).
public final class RateLimiter: @unchecked Sendable {
    private let perMinute: Double
    private let burst: Double
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    private let now: @Sendable () -> Double

    public init(perMinute: Double, burst: Int,
                now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.perMinute = perMinute
        self.burst = Double(max(1, burst))
        self.now = now
    }

    /// Nil when `client` may go on (a token is taken), else the seconds to wait (at least 1).
    public func take(_ client: String) -> Int? {
        guard perMinute > 0 else { return nil }
        let time = now()
        return lock.withLock {
            var bucket = buckets[client] ?? (burst, time)
            bucket.tokens = min(burst, bucket.tokens + (time - bucket.at) * perMinute / 60)
            bucket.at = time
            defer { buckets[client] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) * 60 / perMinute).rounded(.up)))
        }
    }
}
