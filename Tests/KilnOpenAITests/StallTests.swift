import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

/// Refused, unreachable, stalled and slow servers over real loopback sockets. Timing bounds are loose
/// sanity checks (a loaded two-core machine): each test asserts what happened and how many attempts.
@Suite("Refused, stalled and slow servers")
struct StallTests {
    /// A provider pointed at `baseURL`, with the test's key and recorded (not slept) backoff.
    func provider(_ baseURL: String, sleeps: SleepRecorder, retries: Int = 2,
                  configure: (inout OpenAIConfiguration) -> Void = { _ in }) -> OpenAIProvider {
        var configuration = OpenAIConfiguration(environment: ["OPENAI_API_KEY": testKey, "OPENAI_BASE_URL": baseURL],
                                                settings: ProviderSettings(retries: retries))
        configure(&configuration)
        return OpenAIProvider(configuration: configuration, runtime: sleeps.runtime())
    }

    @Test("A refused connection fails every attempt at once, retried with the short connect backoff")
    func refused() async throws {
        let closed = try RawListener(listening: false)
        defer { closed.close() }
        let sleeps = SleepRecorder()
        // A long connect timeout, so failing fast cannot come from it: each attempt must fail on the refusal.
        let provider = provider(closed.baseURL, sleeps: sleeps, retries: 4) { $0.connectTimeout = 60 }
        let error = await expectProviderError { _ = try await provider.run(generateRequest()) }
        try await provider.shutdown()
        // A timeout would be `.timeout`, "could not connect within 60 s": the kind and the words say
        // each attempt failed on the refusal itself (wall time is no proof on a loaded machine).
        #expect(error?.kind == .transport)
        #expect(error?.message.contains("refused") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("gave up after 5 attempts") == true, "\(error?.message ?? "")")
        #expect(sleeps.delays == [0.1, 0.2, 0.4, 0.8])  // the connect backoff: 1.5 s in all
    }

    @Test("A full accept queue (the SYN is dropped) is abandoned at the connect timeout and retried")
    func fullAcceptQueue() async throws {
        let listener = try RawListener(backlog: 0)
        defer { listener.close() }
        #expect(listener.fill())  // the one place in the queue is taken: later SYNs are dropped
        let sleeps = SleepRecorder()
        let provider = provider(listener.baseURL, sleeps: sleeps) { $0.connectTimeout = 0.5 }
        let error = await expectProviderError { _ = try await provider.run(generateRequest()) }
        try await provider.shutdown()
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("could not connect") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("within 0.5 s") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("gave up after 3 attempts") == true, "\(error?.message ?? "")")
        #expect(sleeps.delays == [0.1, 0.2])
    }

    @Test("A server that never takes the request is abandoned after the progress window, each retry on a new connection")
    func neverReads() async throws {
        // Accepted by the kernel, never by the server: it stores what fits in a small window and reads nothing.
        let listener = try RawListener(backlog: 8, receiveBuffer: 4096)
        defer { listener.close() }
        let sleeps = SleepRecorder()
        let provider = provider(listener.baseURL, sleeps: sleeps) {
            $0.progressTimeout = 0.5
            $0.requestTimeout = 60
        }
        let big = InputImage(name: "big.png", data: TinyImageSamples.png(width: 16, height: 16) + Data(count: 16 << 20), format: .png)
        let edit = ImageRequest(stepID: testStep, kind: .edit, model: "gpt-image-1.5", prompt: "brighter",
                                parameters: ImageParameters(), images: [big])
        let error = await expectProviderError { _ = try await provider.run(edit) }
        try await provider.shutdown()
        // The 60 s attempt deadline would say "did not answer within 60 s": "abandoned the connection"
        // and "for 0.5 s" come only from the progress watchdog. Wall time is no proof here: with the
        // whole suite in parallel on two cores this test has taken 120 s while the watchdog did its job.
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("abandoned the connection") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("for 0.5 s") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("gave up after 3 attempts") == true, "\(error?.message ?? "")")
        #expect(listener.drainAcceptQueue() == 3)  // one new connection per attempt
        #expect(error?.message.contains("within 60 s") == false, "\(error?.message ?? "")")
    }

    @Test("A slow but alive server (silent longer than the progress window) is waited for, not abandoned")
    func slowButAlive() async throws {
        let (response, count, closed) = try await withFake(configure: {
            $0.progressTimeout = 0.3
            $0.requestTimeout = 60
        }) { provider, state in
            await state.enqueue([.delay(milliseconds: 2000)])
            let response = try await provider.run(generateRequest())
            return (response, await state.requestCount, await state.closedConnections)
        }
        #expect(response.images.count == 1)
        #expect(count == 1)
        #expect(closed == 0)
    }

    @Test("The step's overall deadline stops retries and names providers.openai.step_timeout")
    func stepDeadline() async throws {
        let (error, count) = try await withFake(settings: ProviderSettings(retries: 50), configure: {
            $0.requestTimeout = 1
            $0.stepTimeout = 5
        }) { provider, state in
            await state.enqueue(Array(repeating: .delay(milliseconds: 5000), count: 60))
            return (await expectProviderError { _ = try await provider.run(generateRequest()) },
                    await state.requestCount)
        }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("overall deadline of 5 s (providers.openai.step_timeout)") == true,
                "\(error?.message ?? "")")
        #expect(count <= 10, "\(count)")  // about five 1 s attempts (fewer on a loaded machine), far from 51
    }
}
