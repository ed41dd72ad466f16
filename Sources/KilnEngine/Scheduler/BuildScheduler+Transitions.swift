import KilnCore

extension BuildScheduler {
    /// Starts the build: the first steps to start, or `finish` for an empty plan.
    public mutating func begin() -> Action {
        guard !began else { return nextAction() }
        began = true
        for i in steps.indices where unmetDependencies[i] == 0 { insertReady(i) }
        return nextAction()
    }

    /// Applies one event and returns what to do next. Events about steps that are not running
    /// are ignored (the answer is still the current action).
    public mutating func handle(_ event: Event) -> Action {
        switch event {
        case let .slotsReleased(id):
            guard let i = runningIndex(id) else { return nextAction() }
            releaseSlots(i)
        case let .resultReady(id):
            guard let i = runningIndex(id) else { return nextAction() }
            releaseSlots(i)
            releaseDependents(of: i)
        case let .spent(id, usd):
            guard let i = runningIndex(id), !costSettled[i] else { return nextAction() }
            costSettled[i] = true
            committedUSD += usd - steps[i].costUSD
        case let .stepSucceeded(id):
            guard let i = runningIndex(id) else { return nextAction() }
            release(i, as: .succeeded)
            releaseDependents(of: i)
        case let .stepFailed(id, stopsRun):
            guard let i = runningIndex(id) else { return nextAction() }
            release(i, as: .failed)
            skipDownstream(of: i)
            if stopsRun {
                stop(.fatalFailure(id), overriding: true)
            } else if !keepGoing {
                stop(.failure(id))
            }
        case let .stepCancelled(id):
            guard let i = runningIndex(id) else { return nextAction() }
            release(i, as: .cancelled)
            skipDownstream(of: i)
            stop(.cancelled)
        case .stopRequested:
            stop(.stopRequested)
        case .cancelRequested:
            stop(.cancelled, overriding: stopReason == .stopRequested)
        }
        return nextAction()
    }

    /// Ready steps that could not start because a pool is full, in plan order.
    public var waitingForSlot: [StepID] {
        stopReason == nil ? readyByPoolSet.joined().sorted().map { steps[$0].id } : []
    }

    /// Ready steps waiting for a slot that were not reported before, with the first full pool of
    /// each; each step is reported once.
    public mutating func takeNewlyWaiting() -> [(id: StepID, pool: String)] {
        guard stopReason == nil else {
            newlyReady.removeAll()
            return []
        }
        // A step that became ready and is still pending did not start: it waits.
        newlyReady.sort()
        defer { newlyReady.removeAll(keepingCapacity: true) }
        var out = [(id: StepID, pool: String)]()
        for i in newlyReady where status[i] == .pending && !announcedWaiting[i] {
            announcedWaiting[i] = true
            let full = stepPools[i].first { poolInUse[$0] >= poolLimits[$0] }
            out.append((steps[i].id, full.map { poolNames[$0] } ?? "?"))
        }
        return out
    }

    /// The first full pool keeping `id` from starting, if any.
    public func fullPool(for id: StepID) -> String? {
        guard let i = index[id] else { return nil }
        return stepPools[i].first { poolInUse[$0] >= poolLimits[$0] }.map { poolNames[$0] }
    }

    /// The current status of a step.
    public func status(of id: StepID) -> Status? {
        index[id].map { status[$0] }
    }

    // MARK: - Internals

    private func runningIndex(_ id: StepID) -> Int? {
        guard let i = index[id], status[i] == .running else { return nil }
        return i
    }

    /// A step that failed or was cancelled before its cost was known gives its estimate back; one
    /// that succeeded keeps it as spent.
    private mutating func release(_ i: Int, as newStatus: Status) {
        status[i] = newStatus
        running -= 1
        releaseSlots(i)
        if !costSettled[i] {
            costSettled[i] = true
            if newStatus != .succeeded { committedUSD -= steps[i].costUSD }
        }
    }

    /// Whether starting step `i` keeps the spend within the budget (a cent's millionth of slack
    /// for sums of floating-point prices).
    private func fitsBudget(_ i: Int) -> Bool {
        guard let budgetUSD, steps[i].costUSD > 0 else { return true }
        return committedUSD + steps[i].costUSD <= budgetUSD + 1e-9
    }

    private mutating func releaseSlots(_ i: Int) {
        guard holdsSlots[i] else { return }
        holdsSlots[i] = false
        for pool in stepPools[i] { poolInUse[pool] -= 1 }
    }

    private mutating func releaseDependents(of i: Int) {
        guard !releasedDependents[i] else { return }
        releasedDependents[i] = true
        for d in dependents[i] where status[d] == .pending {
            unmetDependencies[d] -= 1
            if unmetDependencies[d] == 0 { insertReady(d) }
        }
    }

    private mutating func stop(_ reason: StopReason, overriding: Bool = false) {
        if stopReason == nil || overriding { stopReason = reason }
    }

    /// Marks every pending step downstream of `i` skipped, naming `i` (unless already skipped).
    private mutating func skipDownstream(of i: Int) {
        var queue = dependents[i]
        let failed = steps[i].id
        while let d = queue.popLast() {
            guard status[d] == .pending else { continue }
            status[d] = .skipped(because: failed)
            readyByPoolSet[poolSetOf[d]].removeAll { $0 == d }
            queue.append(contentsOf: dependents[d])
        }
    }

    private mutating func insertReady(_ i: Int) {
        let set = poolSetOf[i]
        var lo = 0, hi = readyByPoolSet[set].count
        while lo < hi {  // descending order
            let mid = (lo + hi) / 2
            if readyByPoolSet[set][mid] > i { lo = mid + 1 } else { hi = mid }
        }
        readyByPoolSet[set].insert(i, at: lo)
        newlyReady.append(i)
    }

    private func hasSlot(poolSet: Int) -> Bool {
        poolSets[poolSet].allSatisfy { poolInUse[$0] < poolLimits[$0] }
    }

    private mutating func nextAction() -> Action {
        guard began else { return .wait }
        if stopReason == nil {
            // Ready steps start in plan order as their pools allow: take the lowest-numbered
            // first step of any pool set with room, until none has. Starting only takes slots,
            // so a pool set found full stays full for the rest of the pass.
            var started = [Int]()
            while true {
                var best = -1, next = Int.max
                for set in readyByPoolSet.indices {
                    guard let head = readyByPoolSet[set].last, head < next, hasSlot(poolSet: set) else { continue }
                    (best, next) = (set, head)
                }
                guard best >= 0 else { break }
                guard fitsBudget(next) else {
                    stop(.budget(steps[next].id, spentUSD: committedUSD, limitUSD: budgetUSD ?? 0))
                    break
                }
                readyByPoolSet[best].removeLast()
                status[next] = .running
                running += 1
                committedUSD += steps[next].costUSD
                for pool in stepPools[next] { poolInUse[pool] += 1 }
                holdsSlots[next] = true
                started.append(next)
            }
            if !started.isEmpty { return .start(started.map { steps[$0].id }) }
        }
        guard running == 0 else { return .wait }
        // Nothing runs and nothing more can start: whatever is still pending never will.
        for i in steps.indices where status[i] == .pending { status[i] = .notRun }
        for set in readyByPoolSet.indices { readyByPoolSet[set].removeAll() }
        return .finish(Summary(ids: steps.map(\.id), statusList: status, stopReason: stopReason))
    }
}

extension BuildScheduler {
    /// The current action without a new event (for example after an unrelated wake-up).
    public mutating func poll() -> Action {
        begin()
    }

    /// Every step's status now, with pending steps as `notRun` and running ones as `cancelled`
    /// (for a driver that must report before the scheduler finished).
    public func snapshot() -> Summary {
        let list = status.map { s -> Status in
            switch s {
            case .pending: .notRun
            case .running: .cancelled
            default: s
            }
        }
        return Summary(ids: steps.map(\.id), statusList: list, stopReason: stopReason)
    }
}
