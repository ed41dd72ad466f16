import Foundation

/// Why a request is waiting for a slot. Waiting is not a failure; progress output can show it.
public struct RateLimitWait: Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// All allowed slots are in flight.
        case concurrency
        /// The requests-per-minute budget is spent for this window.
        case requestsPerMinute
        /// The server said no requests remain until its window resets.
        case serverReset
    }

    public var model: String
    public var reason: Reason
    /// Seconds until a slot frees up, when known.
    public var seconds: Double?

    public var description: String {
        let how = seconds.map { String(format: " (%.1fs)", $0) } ?? ""
        return "waiting for rate limit: \(model), \(reason.rawValue)\(how)"
    }
}

/// Limits one provider+model to `maxInFlight` concurrent requests and `requestsPerMinute` starts per
/// sliding minute. Adaptive: a 429 halves the allowed concurrency (at most once a second); each
/// success adds 1/allowed back (additive increase), so it recovers gradually. Honours
/// `x-ratelimit-remaining-requests: 0` with `x-ratelimit-reset-requests` by pausing new starts.
public actor AdaptiveRateLimiter {
    public let model: String
    public let maxInFlight: Int
    public let requestsPerMinute: Int?
    private let runtime: OpenAIRuntime
    private let onWait: (@Sendable (RateLimitWait) -> Void)?

    private var allowed: Double
    private var inFlight = 0
    private var starts: [Double] = []
    private var pausedUntil: Double?
    private var lastDecrease = -Double.infinity
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0

    /// How a finished request went, for adaptation.
    public enum Outcome: Sendable {
        case success, throttled, other
    }

    public init(model: String, maxInFlight: Int, requestsPerMinute: Int?, runtime: OpenAIRuntime = .live,
                onWait: (@Sendable (RateLimitWait) -> Void)? = nil) {
        self.model = model
        self.maxInFlight = max(1, maxInFlight)
        self.requestsPerMinute = requestsPerMinute.map { max(1, $0) }
        self.runtime = runtime
        self.onWait = onWait
        allowed = Double(max(1, maxInFlight))
    }

    /// The concurrency currently allowed (1...maxInFlight).
    public var allowedConcurrency: Int { Int(allowed) }

    /// Requests holding a slot now.
    public var currentlyInFlight: Int { inFlight }

    /// Waits for a slot and takes it. Throws `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
        var told = false
        func tell(_ reason: RateLimitWait.Reason, _ seconds: Double?) {
            guard !told else { return }
            told = true
            onWait?(RateLimitWait(model: model, reason: reason, seconds: seconds))
        }
        while true {
            try Task.checkCancellation()
            let now = runtime.monotonicSeconds()
            if inFlight >= Int(allowed) {
                tell(.concurrency, nil)
                try await waitForRelease()
                continue
            }
            if let until = pausedUntil, until > now {
                tell(.serverReset, until - now)
                try await runtime.sleep(.fromSeconds(until - now))
                continue
            }
            if let rpm = requestsPerMinute {
                starts.removeAll { $0 <= now - 60 }
                if starts.count >= rpm, let oldest = starts.first {
                    tell(.requestsPerMinute, oldest + 60 - now)
                    try await runtime.sleep(.fromSeconds(oldest + 60 - now))
                    continue
                }
            }
            inFlight += 1
            starts.append(now)
            return
        }
    }

    /// Gives a slot back and adapts to how the request went.
    public func release(_ outcome: Outcome) {
        inFlight = max(0, inFlight - 1)
        let now = runtime.monotonicSeconds()
        switch outcome {
        case .throttled:
            if now - lastDecrease >= 1 {
                allowed = max(1, (allowed / 2).rounded(.down))
                lastDecrease = now
            }
        case .success:
            allowed = min(Double(maxInFlight), allowed + 1 / allowed)
        case .other:
            break
        }
        wakeWaiters()
    }

    /// Applies the server's `x-ratelimit-remaining-requests` and `x-ratelimit-reset-requests`.
    public func observe(remainingRequests: Int?, resetRequests: Double?) {
        guard let remaining = remainingRequests, remaining <= 0, let reset = resetRequests, reset > 0 else { return }
        let until = runtime.monotonicSeconds() + reset
        pausedUntil = max(pausedUntil ?? 0, until)
    }

    private func waitForRelease() async throws {
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private func wakeWaiters() {
        var free = Int(allowed) - inFlight
        while free > 0, !waiters.isEmpty {
            waiters.removeFirst().continuation.resume()
            free -= 1
        }
    }

    /// Parses a rate-limit reset duration such as `1s`, `6m0s`, `250ms`, `1h2m3.5s`.
    public static func parseResetDuration(_ text: String) -> Double? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isNumber || c == "." {
                number.append(c)
            } else {
                guard let value = Double(number) else { return nil }
                number = ""
                sawUnit = true
                if c == "m", i + 1 < chars.count, chars[i + 1] == "s" {
                    total += value / 1000
                    i += 1
                } else if c == "h" { total += value * 3600 }
                else if c == "m" { total += value * 60 }
                else if c == "s" { total += value }
                else { return nil }
            }
            i += 1
        }
        if !number.isEmpty {
            guard let value = Double(number), !sawUnit else { return nil }
            total += value
        }
        return total
    }
}
