import Foundation

/// The global limit on provider calls in flight: `slots` at once, the rest wait in a bounded
/// queue (first come, first served); a request that finds the queue full is refused at once
/// (503 with `Retry-After`) rather than held.
public actor ProviderGate {
    private let slots: Int
    private let queueLimit: Int
    private var inFlight = 0
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0

    public struct QueueFull: Error, Sendable {}

    public init(slots: Int, queue: Int) {
        self.slots = max(1, slots)
        queueLimit = max(0, queue)
    }

    /// Waits for a slot. Throws `QueueFull` when the queue is full, `CancellationError` when the
    /// request goes away while waiting.
    public func acquire() async throws {
        if inFlight < slots {
            inFlight += 1
            return
        }
        guard waiting.count < queueLimit else { throw QueueFull() }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Gives the slot to the first waiter, or frees it.
    public func release() {
        if waiting.isEmpty {
            inFlight -= 1
        } else {
            waiting.removeFirst().continuation.resume()
        }
    }

    private func cancel(_ id: Int) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Requests in flight and waiting (for tests and `/metrics`).
    public var counts: (inFlight: Int, waiting: Int) { (inFlight, waiting.count) }
}
