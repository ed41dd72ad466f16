import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import KilnTestSupport
import Logging
@testable import KilnOpenAI

let testKey = "sk-test-0123456789abcdefSECRET"

/// Records every sleep instead of sleeping, so retry schedules are asserted without waiting.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Double] = []

    var delays: [Double] { lock.withLock { recorded } }

    /// - Parameter frozenClock: a monotonic time that never moves, for tests that assert exact
    ///   waits (the live clock moves on a loaded machine between two calls).
    /// - Parameter now: the wall clock's fixed time (for `retry-after` dates); nil reads the real one.
    func runtime(random: Double = 0, frozenClock: Double? = nil, now: Date? = nil) -> OpenAIRuntime {
        let clock: @Sendable () -> Double
        if let frozenClock { clock = { frozenClock } } else { clock = OpenAIRuntime.live.monotonicSeconds }
        return OpenAIRuntime(sleep: { duration in
            self.lock.withLock { self.recorded.append(duration.inSeconds) }
            try await Task.sleep(for: .milliseconds(1))
        }, monotonicSeconds: clock, now: { now ?? Date() }, random: { random })
    }
}

/// Runs `body` against a fresh fake on a random loopback port, with a provider pointed at it.
func withFake<T: Sendable>(
    fake: FakeOpenAIConfiguration = FakeOpenAIConfiguration(apiKey: testKey),
    environment: [String: String] = ["OPENAI_API_KEY": testKey],
    settings: ProviderSettings? = nil,
    runtime: OpenAIRuntime = SleepRecorder().runtime(),
    logger: Logger = Logger(label: "test"),
    configure: @Sendable (inout OpenAIConfiguration) -> Void = { _ in },
    onWait: (@Sendable (RateLimitWait) -> Void)? = nil,
    _ body: @Sendable (OpenAIProvider, FakeOpenAIState) async throws -> T
) async throws -> T {
    let server = FakeOpenAIServer(configuration: fake)
    let app = server.makeApplication()
    return try await app.test(.live) { client in
        var env = environment
        env["OPENAI_BASE_URL"] = "http://127.0.0.1:\(client.port ?? 0)/v1"
        var configuration = OpenAIConfiguration(environment: env, settings: settings)
        configuration.backoffBase = 0.001
        configuration.backoffCap = 0.01
        configure(&configuration)
        let provider = OpenAIProvider(configuration: configuration, logger: logger, runtime: runtime,
                                      onRateLimitWait: onWait)
        do {
            let result = try await body(provider, server.state)
            try await provider.shutdown()
            return result
        } catch {
            try? await provider.shutdown()
            throw error
        }
    }
}

let testStep = StepID(pipeline: "demo", asset: "hero", variant: nil, step: "generate")

func generateRequest(model: String = "gpt-image-1.5", prompt: String = "a red kiln at dusk",
                     _ parameters: ImageParameters = ImageParameters(size: .fixed(width: 1024, height: 1024),
                                                                      quality: .low)) -> ImageRequest {
    ImageRequest(stepID: testStep, kind: .generate, model: model, prompt: prompt, parameters: parameters)
}

/// Runs `body` expecting a `ProviderError`, and returns it.
func expectProviderError(_ body: () async throws -> Void) async -> ProviderError? {
    do {
        try await body()
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        return nil
    }
}
