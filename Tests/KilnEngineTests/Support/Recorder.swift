import KilnCore

/// Records what test providers and the fake toolkit did: the order of starts and ends, and the
/// most work in flight at once per pool.
actor Recorder {
    enum Mark: Hashable { case start(StepID), end(StepID) }

    private(set) var log: [Mark] = []
    private(set) var inFlight: [String: Int] = [:]
    private(set) var maxInFlight: [String: Int] = [:]
    private(set) var calls: [String: Int] = [:]
    /// Every provider request: the step that sent it, its `n`, and the candidates it was for.
    private(set) var requests: [(step: StepID, n: Int, candidates: [StepID])] = []

    func request(_ request: ImageRequest) {
        requests.append((request.stepID, request.parameters.n, request.candidates.map(\.id)))
    }

    func begin(_ id: StepID, pools: [String]) {
        log.append(.start(id))
        for pool in pools {
            inFlight[pool, default: 0] += 1
            calls[pool, default: 0] += 1
            maxInFlight[pool] = max(maxInFlight[pool, default: 0], inFlight[pool, default: 0])
        }
    }

    func end(_ id: StepID, pools: [String]) {
        log.append(.end(id))
        for pool in pools { inFlight[pool, default: 0] -= 1 }
    }

    /// Position of a mark in the log, nil if it never happened.
    func position(_ mark: Mark) -> Int? { log.firstIndex(of: mark) }
}

/// A latch a test opens to let gated work proceed; waiting is cancellable.
actor Gate {
    private(set) var isOpen = false
    func open() { isOpen = true }

    func wait() async throws {
        while !isOpen { try await Task.sleep(for: .milliseconds(2)) }
    }
}
