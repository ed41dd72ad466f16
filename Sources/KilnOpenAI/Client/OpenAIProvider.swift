import AsyncHTTPClient
import Foundation
import KilnCore
import Logging

/// Kiln's OpenAI Images API provider: generations as JSON, edits as multipart/form-data, with
/// retries, an adaptive rate limiter per model, and errors a person can act on.
///
/// Owns one `HTTPClient` for all calls. Call `shutdown()` once when done (or use `withProvider`):
/// an `HTTPClient` dropped without shutdown traps in debug builds.
public final class OpenAIProvider: ImageProvider {
    public let name = "openai"
    public let configuration: OpenAIConfiguration
    let client: HTTPClient
    let logger: Logger
    let runtime: OpenAIRuntime
    let redactor: SecretRedactor
    let limiters: RateLimiterRegistry
    /// Stalls seen by the connections' watchdogs, claimed by the attempts they failed.
    let stalls = StallLog()

    /// Default requests in flight per model when neither manifest nor CLI sets one: enough to keep
    /// a batch moving at minutes-long latencies, low enough not to trip a new account's limits at once.
    public static let defaultMaxInFlight = 16

    /// - Parameters:
    ///   - onRateLimitWait: called (from any task) when a request starts waiting for a slot.
    public init(configuration: OpenAIConfiguration, logger: Logger = Logger(label: "kiln.openai"),
                runtime: OpenAIRuntime = .live, onRateLimitWait: (@Sendable (RateLimitWait) -> Void)? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.runtime = runtime
        redactor = SecretRedactor(secrets: configuration.secrets)
        client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: Self.clientConfiguration(for: configuration, stalls: stalls))
        limiters = RateLimiterRegistry(maxInFlight: configuration.maxInFlight ?? Self.defaultMaxInFlight,
                                       requestsPerMinute: configuration.requestsPerMinute,
                                       runtime: runtime, onWait: onRateLimitWait)
    }

    /// Runs `body` with a provider and shuts it down afterwards, whether `body` throws or not.
    public static func withProvider<T: Sendable>(
        configuration: OpenAIConfiguration, logger: Logger = Logger(label: "kiln.openai"),
        onRateLimitWait: (@Sendable (RateLimitWait) -> Void)? = nil,
        _ body: (OpenAIProvider) async throws -> T
    ) async throws -> T {
        let provider = OpenAIProvider(configuration: configuration, logger: logger, onRateLimitWait: onRateLimitWait)
        do {
            let result = try await body(provider)
            try await provider.shutdown()
            return result
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }

    /// Closes every connection. Call once, after the last `run`.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// The rate limiter for one model (created on first use), e.g. to read its allowed concurrency.
    public func rateLimiter(for model: String) async -> AdaptiveRateLimiter {
        await limiters.limiter(for: model)
    }

    /// `n`'s limit for the model (CONTRACT.md: 1–10; dall-e-3 takes 1).
    public func maxImagesPerRequest(model: String) -> Int {
        ModelCatalog.info(model)?.maxImagesPerRequest ?? 1
    }

    /// Runs one generate or edit, retrying what is worth retrying.
    /// - Throws: `ProviderError` (`kind`, `stopsRun`, a message naming the step and what to do,
    ///   the request id), or `CancellationError`.
    public func run(_ request: ImageRequest) async throws -> ProviderResponse {
        let body: OpenAIRequestBody
        switch request.kind {
        case .generate:
            body = try OpenAIRequestBody.generation(request)
        case .edit:
            guard !request.images.isEmpty else {
                throw ProviderError(.invalidRequest, "step \(request.stepID): an edit needs at least one input image.")
            }
            body = OpenAIRequestBody.edit(request)
        case .derive:
            throw ProviderError(.invalidRequest, "step \(request.stepID): derive steps run locally, not through OpenAI.")
        }
        return try await runAttempts(body, for: request)
    }

    /// AsyncHTTPClient's settings: connections per host following the configured concurrency
    /// (`connectionsPerHost`); the connect timeout; no retrying of failed connects inside the pool
    /// (it would retry a refused port until the connect timeout, per attempt: Kiln's own loop retries
    /// them, counted and with a short backoff); a `ProgressWatchdog` on every connection.
    static func clientConfiguration(for configuration: OpenAIConfiguration,
                                    stalls: StallLog) -> HTTPClient.Configuration {
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout = .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
                                            read: .milliseconds(Int64(configuration.requestTimeout * 1000)))
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(60),
                                                   concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionsPerHost)
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.decompression = .disabled
        let window = configuration.progressTimeout
        clientConfiguration.http1_1ConnectionDebugInitializer = {
            ProgressWatchdog.install(on: $0, window: window, log: stalls)
        }
        clientConfiguration.http2ConnectionDebugInitializer = {
            ProgressWatchdog.install(on: $0, window: window, log: stalls)
        }
        return clientConfiguration
    }
}
