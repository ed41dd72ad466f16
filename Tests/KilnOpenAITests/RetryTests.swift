import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

@Suite("Retries honour the server and give up after N")
struct RetryTests {
    @Test("retry-after, retry-after-ms and an HTTP date set the delay")
    func serverHints() async throws {
        // The client's wall clock is fixed, so the date means exactly 60 s however long a loaded
        // machine takes to reach that retry (with the real clock, 115 s had shrunk to 0.9 s once).
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let later = now.addingTimeInterval(60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let sleeps = SleepRecorder()
        let count = try await withFake(runtime: sleeps.runtime(now: now)) { provider, state in
            await state.enqueue([.rateLimited(retryAfter: "2"), .rateLimited(retryAfterMs: "1500"),
                                 .rateLimited(retryAfter: formatter.string(from: later)), .rateLimited(retryAfter: "600")])
            _ = try await provider.run(generateRequest())
            return await state.requestCount
        }
        #expect(count == 5)
        let delays = sleeps.delays
        #expect(delays.count == 4)
        #expect(delays[0] == 2)
        #expect(delays[1] == 1.5)
        #expect(delays[2] == 60, "\(delays[2])")
        #expect(delays[3] < 1)  // 600 s is over the 120 s cap: fall back to backoff
    }

    @Test("Gives up after the configured retries, saying so")
    func givesUp() async throws {
        let (error, count) = try await withFake(settings: ProviderSettings(retries: 2)) { provider, state in
            await state.enqueue([.serverError(), .serverError(status: 503), .serverError(), .serverError()])
            return (await expectProviderError { _ = try await provider.run(generateRequest()) }, await state.requestCount)
        }
        #expect(count == 3)
        #expect(error?.kind == .server)
        #expect(error?.message.contains("gave up after 3 attempts") == true)
    }

    @Test("x-should-retry: false wins over a retryable status")
    func shouldRetryFalse() async throws {
        let count = try await withFake { provider, state in
            await state.enqueue([.status(500, type: "server_error", code: nil, message: "no",
                                         headers: ["x-should-retry": "false"])])
            _ = await expectProviderError { _ = try await provider.run(generateRequest()) }
            return await state.requestCount
        }
        #expect(count == 1)
    }

    @Test("A truncated or badly encoded 200 is retried", arguments: [FakeFault.truncatedBody, .badBase64])
    func undecodable200(_ fault: FakeFault) async throws {
        let (response, count) = try await withFake { provider, state in
            await state.enqueue([fault])
            return (try await provider.run(generateRequest()), await state.requestCount)
        }
        #expect(count == 2)
        #expect(response.images.count == 1)
    }

    @Test("Backoff without hints is 0.5·2ⁿ capped at 8, less up to 25% jitter")
    func backoff() {
        let policy = RetryPolicy(retries: 4)
        let now = Date()
        #expect(policy.delay(attempt: 0, retryAfterMs: nil, retryAfter: nil, now: now, random: 0) == 0.5)
        #expect(policy.delay(attempt: 2, retryAfterMs: nil, retryAfter: nil, now: now, random: 0) == 2)
        #expect(policy.delay(attempt: 9, retryAfterMs: nil, retryAfter: nil, now: now, random: 0) == 8)
        #expect(policy.delay(attempt: 1, retryAfterMs: nil, retryAfter: nil, now: now, random: 1) == 0.75)
        #expect(policy.delay(attempt: 0, retryAfterMs: "0", retryAfter: nil, now: now, random: 0) == 0.5)
    }

    @Test("An unreachable server is a transport error after retries")
    func unreachable() async throws {
        var configuration = OpenAIConfiguration(environment: ["OPENAI_API_KEY": testKey,
                                                              "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"],
                                                settings: ProviderSettings(retries: 1))
        configuration.backoffBase = 0.001
        let sleeps = SleepRecorder()
        let provider = OpenAIProvider(configuration: configuration, runtime: sleeps.runtime())
        let error = await expectProviderError { _ = try await provider.run(generateRequest()) }
        try await provider.shutdown()
        #expect(error?.kind == .transport)
        #expect(sleeps.delays.count == 1)
    }

    @Test("A slow answer past the deadline is a timeout")
    func timeout() async throws {
        let error = try await withFake(settings: ProviderSettings(retries: 0, timeoutSeconds: 0.1)) { provider, state in
            await state.enqueue([.delay(milliseconds: 600)])
            return await expectProviderError { _ = try await provider.run(generateRequest()) }
        }
        #expect(error?.kind == .timeout)
    }

    @Test("An answer over the size cap is refused, not retried")
    func sizeCap() async throws {
        let (error, count) = try await withFake(configure: { $0.maxResponseBytes = 10_000 }) { provider, state in
            (await expectProviderError { _ = try await provider.run(generateRequest()) }, await state.requestCount)
        }
        #expect(error?.kind == .badResponse)
        #expect(error?.message.contains("cap") == true)
        #expect(count == 1)
    }
}
