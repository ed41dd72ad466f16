/// One `AdaptiveRateLimiter` per model, created on first use with the provider's limits.
actor RateLimiterRegistry {
    private let maxInFlight: Int
    private let requestsPerMinute: Int?
    private let runtime: OpenAIRuntime
    private let onWait: (@Sendable (RateLimitWait) -> Void)?
    private var limiters: [String: AdaptiveRateLimiter] = [:]

    init(maxInFlight: Int, requestsPerMinute: Int?, runtime: OpenAIRuntime,
         onWait: (@Sendable (RateLimitWait) -> Void)?) {
        self.maxInFlight = maxInFlight
        self.requestsPerMinute = requestsPerMinute
        self.runtime = runtime
        self.onWait = onWait
    }

    func limiter(for model: String) -> AdaptiveRateLimiter {
        if let existing = limiters[model] { return existing }
        let limiter = AdaptiveRateLimiter(model: model, maxInFlight: maxInFlight,
                                          requestsPerMinute: requestsPerMinute, runtime: runtime, onWait: onWait)
        limiters[model] = limiter
        return limiter
    }
}
