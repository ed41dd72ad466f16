import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnOpenAI

@Suite("Dropped and cancelled connections")
struct ConnectionTests {
    @Test("A reset connection is retried, then reported as a transport error")
    func resetGivesUp() async throws {
        let (error, count) = try await withFake(settings: ProviderSettings(retries: 2)) { provider, state in
            await state.enqueue([.connectionReset, .connectionReset, .connectionReset])
            return (await expectProviderError { _ = try await provider.run(generateRequest()) }, await state.requestCount)
        }
        #expect(count == 3)
        #expect(error?.kind == .transport)
    }

    @Test("A reset followed by a normal answer succeeds on the retry")
    func resetThenAnswer() async throws {
        let (response, count) = try await withFake { provider, state in
            await state.enqueue([.connectionReset])
            return (try await provider.run(generateRequest()), await state.requestCount)
        }
        #expect(count == 2)
        #expect(response.images.count == 1)
    }

    @Test("Cancelling mid-request throws CancellationError, closes the connection, frees the slot, and the client still works")
    func cancellation() async throws {
        let (inFlight, closed, answering, later) = try await withFake { provider, state in
            await state.enqueue([.delay(milliseconds: 3000)])
            let task = Task { try await provider.run(generateRequest()) }
            while await state.requestCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
            // The fake is still sleeping on its answer: the close it sees is the client's.
            let deadline = ContinuousClock.now + .seconds(20)
            while await state.closedConnections == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let closed = await state.closedConnections
            let answering = await state.requestsInFlight
            let inFlight = await provider.rateLimiter(for: "gpt-image-1.5").currentlyInFlight
            let later = try await provider.run(generateRequest())
            return (inFlight, closed, answering, later)
        }
        #expect(closed == 1)
        #expect(answering == 1)  // the fake had not answered yet when it saw the close
        #expect(inFlight == 0)
        #expect(later.images.count == 1)
    }
}
