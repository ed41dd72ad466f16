import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

/// Collects rate-limit waits reported to progress output.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [RateLimitWait] = []
    var all: [RateLimitWait] { lock.withLock { waits } }
    func add(_ wait: RateLimitWait) { lock.withLock { waits.append(wait) } }
}

@Suite("Adaptive rate limiting")
struct RateLimiterTests {
    @Test("No more than max_in_flight requests reach the server at once")
    func maxInFlight() async throws {
        let waits = WaitLog()
        let (peak, count) = try await withFake(fake: FakeOpenAIConfiguration(apiKey: testKey, latency: .milliseconds(30)),
                                               settings: ProviderSettings(maxInFlight: 3),
                                               onWait: { waits.add($0) }) { provider, state in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<12 { group.addTask { _ = try await provider.run(generateRequest()) } }
                try await group.waitForAll()
            }
            return (await state.peakInFlight, await state.requestCount)
        }
        #expect(count == 12)
        #expect(peak <= 3)
        #expect(waits.all.contains { $0.reason == .concurrency && $0.model == "gpt-image-1.5" })
    }

    @Test("A 429 halves the allowed concurrency")
    func lowersOn429() async throws {
        let allowed = try await withFake(settings: ProviderSettings(maxInFlight: 8)) { provider, state in
            await state.enqueue([.rateLimited(retryAfterMs: "1")])
            _ = try await provider.run(generateRequest())
            return await provider.rateLimiter(for: "gpt-image-1.5").allowedConcurrency
        }
        // Halved by the 429; the retry's success adds back only a fraction.
        #expect(allowed == 4)
    }

    @Test("Successes recover the allowed concurrency gradually, up to the maximum")
    func recovers() async throws {
        let limiter = AdaptiveRateLimiter(model: "m", maxInFlight: 8, requestsPerMinute: nil)
        try await limiter.acquire()
        await limiter.release(.throttled)
        #expect(await limiter.allowedConcurrency == 4)
        var history: [Int] = []
        for _ in 0..<40 {
            try await limiter.acquire()
            await limiter.release(.success)
            history.append(await limiter.allowedConcurrency)
        }
        #expect(history.first == 4)
        #expect(history.last == 8)
        #expect(history == history.sorted())
        #expect(Set(history).count >= 4)  // gradual: passes through 5, 6, 7
    }

    @Test("The requests-per-minute budget makes the next start wait for the window")
    func requestsPerMinute() async throws {
        let sleeps = SleepRecorder()
        let waits = WaitLog()
        let limiter = AdaptiveRateLimiter(model: "m", maxInFlight: 10, requestsPerMinute: 2,
                                          runtime: sleeps.runtime(frozenClock: 1_000), onWait: { waits.add($0) })
        for _ in 0..<2 { try await limiter.acquire(); await limiter.release(.success) }
        #expect(sleeps.delays.isEmpty)
        let third = Task { try await limiter.acquire() }
        while sleeps.delays.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
        third.cancel()
        _ = await third.result
        #expect(sleeps.delays[0] == 60)
        #expect(waits.all.first?.reason == .requestsPerMinute)
    }

    @Test("x-ratelimit-remaining-requests: 0 pauses starts until the reset")
    func serverReset() async throws {
        let sleeps = SleepRecorder()
        let waits = WaitLog()
        let began = ContinuousClock.now
        let delays = try await withFake(runtime: sleeps.runtime(), onWait: { waits.add($0) }) { provider, state in
            await state.enqueue([.rateLimitHeaders(remaining: 0, reset: "6m0s")])
            _ = try await provider.run(generateRequest())
            let next = Task { try await provider.run(generateRequest()) }
            while sleeps.delays.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
            next.cancel()
            _ = await next.result
            return sleeps.delays
        }
        // The reset counts from the answer: whatever time the test itself took (a loaded machine)
        // is already gone from the pause.
        let elapsed = (ContinuousClock.now - began) / .seconds(1)
        #expect(delays[0] > 359 - elapsed && delays[0] <= 360, "paused \(delays[0]) s after \(elapsed) s")
        #expect(waits.all.first?.reason == .serverReset)
    }

    @Test("Reset durations parse", arguments: [("1s", 1.0), ("6m0s", 360), ("250ms", 0.25), ("1h2m3.5s", 3723.5), ("2", 2)])
    func parsesDurations(_ text: String, _ seconds: Double) {
        #expect(AdaptiveRateLimiter.parseResetDuration(text) == seconds)
    }

    @Test("Junk durations do not parse")
    func junk() {
        #expect(AdaptiveRateLimiter.parseResetDuration("soon") == nil)
    }
}
