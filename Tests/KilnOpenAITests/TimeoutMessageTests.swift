import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

@Suite("Timeout and connection messages name real manifest keys")
struct TimeoutMessageTests {
    /// The keys under `providers.openai`: docs/manifest.md's providers table, plus `step_timeout`
    /// (OpenAIConfiguration.stepTimeout), which the manifest decoder is to read.
    static let realKeys: Set<String> = ["max_in_flight", "requests_per_minute", "base_url", "headers", "retries",
                                        "timeout", "step_timeout"]

    /// Every `providers.openai.<key>` in `message`.
    static func namedKeys(_ message: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"providers\.openai\.([a-z_]+)"#)
        let range = NSRange(message.startIndex..., in: message)
        return regex.matches(in: message, range: range).compactMap {
            Range($0.range(at: 1), in: message).map { String(message[$0]) }
        }
    }

    @Test("An attempt past its deadline names providers.openai.timeout and its value")
    func attemptDeadline() async throws {
        let error = try await withFake(settings: ProviderSettings(retries: 0, timeoutSeconds: 0.2)) { provider, state in
            await state.enqueue([.delay(milliseconds: 2000)])
            return await expectProviderError { _ = try await provider.run(generateRequest()) }
        }
        let message = error?.message ?? ""
        #expect(error?.kind == .timeout)
        #expect(message.contains("within 0.2 s"), "\(message)")
        #expect(Self.namedKeys(message) == ["timeout"], "\(message)")
        #expect(!message.contains("timeout_seconds"))
    }

    @Test("Every key named by a connection, deadline or rate-limit message is real")
    func allKeysReal() async throws {
        var messages: [String] = []
        let closed = try RawListener(listening: false)
        defer { closed.close() }
        var configuration = OpenAIConfiguration(environment: ["OPENAI_API_KEY": testKey, "OPENAI_BASE_URL": closed.baseURL],
                                                settings: ProviderSettings(retries: 0))
        configuration.connectTimeout = 2
        let provider = OpenAIProvider(configuration: configuration, runtime: SleepRecorder().runtime())
        messages.append(await expectProviderError { _ = try await provider.run(generateRequest()) }?.message ?? "")
        try await provider.shutdown()
        let more = try await withFake(settings: ProviderSettings(retries: 3), configure: {
            $0.requestTimeout = 0.3
            $0.stepTimeout = 0.5
        }) { provider, state in
            await state.enqueue(Array(repeating: .delay(milliseconds: 3000), count: 4))
            let deadline = await expectProviderError { _ = try await provider.run(generateRequest()) }
            await state.enqueue(Array(repeating: .rateLimited(), count: 4))
            let limited = await expectProviderError { _ = try await provider.run(generateRequest()) }
            return [deadline?.message ?? "", limited?.message ?? ""]
        }
        messages += more
        #expect(messages.allSatisfy { !$0.isEmpty }, "\(messages)")
        for message in messages {
            #expect(!message.contains("timeout_seconds"))
            for key in Self.namedKeys(message) { #expect(Self.realKeys.contains(key), "\(key) in: \(message)") }
        }
        #expect(messages.flatMap(Self.namedKeys).contains("step_timeout"))
        #expect(messages.flatMap(Self.namedKeys).contains("base_url"))
    }
}
