/// Limits and connection settings for one provider, from a manifest's `providers:` section.
public struct ProviderSettings: Hashable, Sendable, Codable {
    /// Requests in flight at once for this provider.
    public var maxInFlight: Int?
    /// Requests (images) per minute.
    public var requestsPerMinute: Int?
    /// API base URL, for example a proxy or a compatible service.
    public var baseURL: String?
    /// Extra request headers (never the API key).
    public var headers: [String: String]
    /// Retries per request after the first attempt.
    public var retries: Int?
    /// Deadline per request attempt, in seconds.
    public var timeoutSeconds: Double?
    /// Deadline for a whole step, every retry included, in seconds.
    public var stepTimeoutSeconds: Double?

    public init(maxInFlight: Int? = nil, requestsPerMinute: Int? = nil, baseURL: String? = nil,
                headers: [String: String] = [:], retries: Int? = nil, timeoutSeconds: Double? = nil,
                stepTimeoutSeconds: Double? = nil) {
        self.stepTimeoutSeconds = stepTimeoutSeconds
        self.maxInFlight = maxInFlight
        self.requestsPerMinute = requestsPerMinute
        self.baseURL = baseURL
        self.headers = headers
        self.retries = retries
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Every concrete step of the selected targets, in a deterministic topological order.
public struct Plan: Sendable, Codable {
    public var steps: [PlannedStep]
    /// Provider settings merged from every manifest, by provider name.
    public var providers: [String: ProviderSettings]
    /// Warnings found while planning (errors throw instead).
    public var warnings: [Diagnostic]
    /// Generate and edit steps that name no provider and so take the default (the placeholder
    /// renderer when no API key is set): what the "OPENAI_API_KEY is not set" notice is about.
    public var defaultProviderSteps: Set<StepID> = []
    /// What each placeholder step would cost with OpenAI, so a plan can be budgeted before a key is set.
    public var openAIEquivalentUSD: [StepID: Double] = [:]
    /// The generate steps with `candidates:` (2 or more), by the step's id: how many, and which one
    /// is in use. Each candidate is a step of its own (`main~2`); the one in use is merged with the
    /// step itself, so what reads the step reads it.
    public var candidates: [StepID: CandidateSet] = [:]

    enum CodingKeys: String, CodingKey { case steps, providers, warnings }

    public init(steps: [PlannedStep], providers: [String: ProviderSettings] = [:], warnings: [Diagnostic] = []) {
        self.steps = steps
        self.providers = providers
        self.warnings = warnings
    }

    /// The planned steps by id, including merged aliases.
    public func index() -> [StepID: Int] {
        var index = [StepID: Int]()
        for (i, step) in steps.enumerated() {
            index[step.id] = i
            for alias in step.aliases { index[alias] = i }
        }
        return index
    }

    /// The sum of every step's estimate.
    public var estimatedCost: CostEstimate {
        steps.compactMap(\.estimate).reduce(CostEstimate.zero, +)
    }
}
