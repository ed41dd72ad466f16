import Foundation
import KilnFakeOpenAI
import Testing
@testable import KilnServe

@Suite("kiln serve: rate limits, budgets and the provider queue")
struct ServeLimitsTests {
    @Test("a client past its burst gets 429 with an integer Retry-After; another client is not affected")
    func rateLimit() async throws {
        // One token a day after the burst: the test asserts counts, whatever the machine's speed.
        let config = testConfig { $0.limits.ratePerMinute = 1.0 / 1440; $0.limits.burst = 2 }
        try await withServe(config) { serve in
            #expect(try await serve.generate("one").status == 200)
            #expect(try await serve.generate("two").status == 200)
            let third = try await serve.generate("three")
            #expect(third.status == 429)
            #expect(third.errorCode == "rate_limit_exceeded")
            let retry = third.header("retry-after").flatMap(Int.init)
            #expect(retry != nil && retry! >= 1)
            #expect(try await serve.generate("three", token: bobToken).status == 200)
            #expect(await serve.upstreamCalls == 3)
        }
    }

    @Test("a request whose estimate would pass the client's daily budget gets 402 before any call; cache hits cost nothing")
    func dailyBudget() async throws {
        // A low-quality 1024x1024 image is estimated at 272 output tokens × $32/M ≈ $0.0087 plus the prompt.
        let config = testConfig { $0.limits.dailyBudgetUSD = 0.02 }
        try await withServe(config) { serve in
            #expect(try await serve.generate("first").status == 200)
            #expect(try await serve.generate("second").status == 200)
            let third = try await serve.generate("third")
            #expect(third.status == 402)
            #expect(third.errorCode == "budget_exceeded")
            #expect(await serve.upstreamCalls == 2)
            #expect(try await serve.generate("first").status == 200)   // cached: free
            let high = try await serve.generate("dear", extra: #", "n": 1"#, token: bobToken)
            #expect(high.status == 200)
            let tooDear = try await serve.send(.POST, "/api/images", json: #"{"prompt": "x", "quality": "high"}"#, token: bobToken)
            #expect(tooDear.status == 402)
            #expect(await serve.upstreamCalls == 3)
        }
    }

    @Test("over HTTP: past the provider's concurrency and queue, 503 with Retry-After, and the refused request is never sent")
    func fullQueueOverHTTP() async throws {
        let config = testConfig { $0.limits.concurrency = 1; $0.limits.queue = 0 }
        try await withServe(config, fake: FakeOpenAIConfiguration(apiKey: testKey, latency: .milliseconds(1500))) { serve in
            let first = Task { try await serve.generate("holds the only slot") }
            while await serve.fake.requestsInFlight == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let refused = try await serve.generate("finds the queue full")
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.errorCode == "queue_full")
            #expect(refused.header("retry-after").flatMap(Int.init) != nil, "\(refused.headers)")
            #expect(try await first.value.status == 200)
            #expect(await serve.upstreamCalls == 1, "the refused request reached the provider")
            // The slot is free again: the same request now goes through.
            #expect(try await serve.generate("finds the queue full").status == 200)
            #expect(await serve.upstreamCalls == 2)
        }
    }

    @Test("an upstream 429 with retry-after is waited out and retried: the client gets its image, not the 429")
    func upstreamRetryAfter() async throws {
        try await withServe(retries: 2) { serve in
            await serve.fake.enqueue([.rateLimited(retryAfter: "1")])
            let started = ContinuousClock.now
            let reply = try await serve.generate("asked while the service is busy")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(await serve.upstreamCalls == 2)
            // The harness's own backoff is 10 ms at most: only the header explains a wait of a second.
            #expect(ContinuousClock.now - started >= .milliseconds(950))
        }
    }

    @Test("an upstream that keeps answering 429 past Kiln's retries is 503 with Retry-After, and nothing is charged")
    func upstreamRateLimitedThroughout() async throws {
        let config = testConfig { $0.limits.dailyBudgetUSD = 0.02 }
        try await withServe(config, retries: 1) { serve in
            await serve.fake.enqueue([.rateLimited(), .rateLimited()])
            let reply = try await serve.generate("asked while the service is busy")
            #expect(reply.status == 503, "\(reply.text)")
            #expect(reply.errorCode == "upstream_rate_limited")
            #expect(reply.header("retry-after").flatMap(Int.init) != nil)
            #expect(await serve.upstreamCalls == 2)
            // The reservation was given back: two images still fit in the $0.02 budget.
            #expect(try await serve.generate("first").status == 200)
            #expect(try await serve.generate("second").status == 200)
        }
    }

    @Test("the token bucket refills at its rate")
    func bucketRefills() {
        final class Clock: @unchecked Sendable { var now = 0.0 }
        let clock = Clock()
        let limiter = RateLimiter(perMinute: 60, burst: 2, now: { clock.now })
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == 1)
        clock.now = 1.0
        #expect(limiter.take("a") == nil)
        #expect(limiter.take("a") == 1)
    }

    @Test("the provider gate queues up to its bound and refuses past it")
    func gateQueue() async throws {
        let gate = ProviderGate(slots: 1, queue: 1)
        try await gate.acquire()
        let waiter = Task { try await gate.acquire() }
        while await gate.counts.waiting < 1 { await Task.yield() }
        await #expect(throws: ProviderGate.QueueFull.self) { try await gate.acquire() }
        await gate.release()
        try await waiter.value
        #expect(await gate.counts.inFlight == 1)
        await gate.release()
        #expect(await gate.counts.inFlight == 0)
    }
}
