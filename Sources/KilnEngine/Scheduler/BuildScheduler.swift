import KilnCore

/// The build's pure state machine: which steps may start, and when the build is over.
///
/// No I/O, no clock, no tasks: the driver (`BuildEngine`) feeds it events and carries out the
/// actions it returns, so a unit test can drive every policy by hand. The policy follows make/ninja:
/// - by default the first failure stops new steps from starting; steps in flight finish;
/// - with `keepGoing`, everything not downstream of a failure still runs;
/// - a failure that `stopsRun` (bad API key, no quota) stops new starts even with `keepGoing`;
/// - a stop request (Ctrl-C once) stops new starts; a cancel request (twice) also tells the
///   driver to cancel what is in flight;
/// - with a budget (`--max-cost`), a step whose estimate would take the spend past it is not
///   started, and nothing more starts: the spend counts what finished steps cost (`spent`) and
///   the estimates of steps in flight.
/// Steps downstream of a failure are `skipped` naming the failed ancestor; steps that could have
/// run but were not started because the build stopped are `notRun`. Ready steps start in plan
/// order, as many as their pools allow.
public struct BuildScheduler: Sendable {
    /// One step as the scheduler sees it.
    public struct Step: Sendable, Hashable {
        public var id: StepID
        /// Steps that must succeed first. Ids not in the plan are ignored (the driver validates).
        public var dependencies: [StepID]
        /// Every pool the step takes a slot in while running (for example the global network
        /// pool and its provider's pool). A step starts only when each has a free slot.
        public var pools: [String]
        /// What the step is estimated to cost (0: free, such as a derive).
        public var costUSD: Double

        public init(id: StepID, dependencies: [StepID], pools: [String], costUSD: Double = 0) {
            self.id = id
            self.dependencies = dependencies
            self.pools = pools
            self.costUSD = costUSD
        }
    }

    /// What happens to the build next.
    public enum Event: Sendable, Hashable {
        /// The step's pool work is done (its provider call answered, or its local image work
        /// finished) but it is still finishing (cache, outputs): free its slots for others.
        /// Dependents still wait for `stepSucceeded`.
        case slotsReleased(StepID)
        /// The step's result is in hand and verified, though not yet written: free its slots and
        /// let the steps that read it start. Its own success or failure comes later.
        case resultReady(StepID)
        /// What the step actually cost, once known (0 for a cache hit); it replaces the estimate
        /// in the budget's spend.
        case spent(StepID, usd: Double)
        case stepSucceeded(StepID)
        case stepFailed(StepID, stopsRun: Bool)
        /// The step was cancelled in flight (after `cancelRequested`).
        case stepCancelled(StepID)
        /// Graceful stop: start nothing new, let in-flight steps finish.
        case stopRequested
        /// Hard stop: start nothing new; the driver cancels in-flight steps.
        case cancelRequested
    }

    /// What the driver must do.
    public enum Action: Sendable, Hashable {
        /// Start these steps now (never empty).
        case start([StepID])
        /// Nothing to start; wait for the next event.
        case wait
        /// Every step has an outcome: the build is over.
        case finish(Summary)
    }

    /// Where a step stands.
    public enum Status: Sendable, Hashable {
        case pending, running, succeeded, failed, cancelled
        /// Not run because an ancestor failed (named).
        case skipped(because: StepID)
        /// Not run because the build stopped first.
        case notRun
    }

    /// Why the build stopped starting steps.
    public enum StopReason: Sendable, Hashable {
        /// The first failure, without keep-going.
        case failure(StepID)
        /// A failure every other call would repeat (bad key, no quota).
        case fatalFailure(StepID)
        case stopRequested
        case cancelled
        /// Starting the step would take the spend past the budget.
        case budget(StepID, spentUSD: Double, limitUSD: Double)
    }

    /// The outcome of every step, in plan order.
    public struct Summary: Sendable, Hashable {
        public var statuses: [(id: StepID, status: Status)] { zip(ids, statusList).map { ($0, $1) } }
        public var ids: [StepID]
        public var statusList: [Status]
        public var stopReason: StopReason?

        public func status(of id: StepID) -> Status? {
            ids.firstIndex(of: id).map { statusList[$0] }
        }

        public var allSucceeded: Bool { statusList.allSatisfy { $0 == .succeeded } }
    }

    let steps: [Step]
    let index: [StepID: Int]
    let keepGoing: Bool
    /// Dependencies by plan index (unknown ids dropped, duplicates removed).
    let dependencyIndices: [[Int]]
    let dependents: [[Int]]
    public internal(set) var status: [Status]
    var unmetDependencies: [Int]
    /// Pending steps whose dependencies all succeeded, one list per pool set (`poolSets`), each
    /// in reverse plan order so the next to start is `last`. Steps with the same pools are all
    /// blocked when the first is: an event looks at one step per pool set, not at every ready
    /// step (300 derives waiting for 2 local slots made each event scan all 300).
    var readyByPoolSet: [[Int]]
    /// Steps that became ready since `takeNewlyWaiting` last looked.
    var newlyReady: [Int] = []
    /// Pools by position: each step's pool indices, each pool's limit (`Int.max`: unlimited) and
    /// slots in use. Integer arrays, since every event checks ready steps' pools.
    let poolNames: [String]
    let stepPools: [[Int]]
    /// The distinct pool lists steps take, and which one each step takes.
    let poolSets: [[Int]]
    let poolSetOf: [Int]
    let poolLimits: [Int]
    var poolInUse: [Int]
    /// Ready steps already reported as waiting for a slot.
    var announcedWaiting: [Bool]
    /// Whether each running step still holds its pool slots.
    var holdsSlots: [Bool]
    /// Whether a step's dependents were already released by `resultReady`.
    var releasedDependents: [Bool]
    var running = 0
    public internal(set) var stopReason: StopReason?
    var began = false
    /// How many steps the build runs.
    public var stepCount: Int { steps.count }
    /// `--max-cost` in US dollars; nil: no budget.
    let budgetUSD: Double?
    /// What finished steps cost plus the estimates of steps in flight.
    public internal(set) var committedUSD: Double = 0
    /// Steps whose actual cost is in `committedUSD` (their estimate no longer is).
    var costSettled: [Bool]

    /// - Parameters:
    ///   - limits: slots per pool; a pool not named here is unlimited; a limit below 1 counts as 1.
    ///   - keepGoing: run everything not downstream of a failure.
    ///   - budgetUSD: start no step whose estimate would take the spend past this.
    public init(steps: [Step], limits: [String: Int], keepGoing: Bool = false, budgetUSD: Double? = nil) {
        self.steps = steps
        self.budgetUSD = budgetUSD
        self.costSettled = Array(repeating: false, count: steps.count)
        var index = [StepID: Int]()
        for (i, step) in steps.enumerated() where index[step.id] == nil { index[step.id] = i }
        self.index = index
        self.keepGoing = keepGoing
        var deps = [[Int]]()
        var dependents = Array(repeating: [Int](), count: steps.count)
        deps.reserveCapacity(steps.count)
        for (i, step) in steps.enumerated() {
            // A step has a handful of dependencies: a linear check beats a Set allocated per step.
            var list = [Int]()
            for dep in step.dependencies {
                if let d = index[dep], d != i, !list.contains(d) { list.append(d) }
            }
            deps.append(list)
            for d in list { dependents[d].append(i) }
        }
        self.dependencyIndices = deps
        self.dependents = dependents
        self.status = Array(repeating: .pending, count: steps.count)
        self.unmetDependencies = deps.map(\.count)
        self.holdsSlots = Array(repeating: false, count: steps.count)
        self.releasedDependents = Array(repeating: false, count: steps.count)
        var poolIndex = [String: Int]()
        var names = [String]()
        self.stepPools = steps.map { step in
            step.pools.map { pool in
                if let i = poolIndex[pool] { return i }
                poolIndex[pool] = names.count
                names.append(pool)
                return names.count - 1
            }
        }
        self.poolNames = names
        var setIndex = [[Int]: Int]()
        var sets = [[Int]]()
        self.poolSetOf = stepPools.map { pools in
            if let i = setIndex[pools] { return i }
            setIndex[pools] = sets.count
            sets.append(pools)
            return sets.count - 1
        }
        self.poolSets = sets
        self.readyByPoolSet = Array(repeating: [], count: sets.count)
        let clamped = limits.mapValues { max(1, $0) }
        self.poolLimits = names.map { clamped[$0] ?? Int.max }
        self.poolInUse = Array(repeating: 0, count: names.count)
        self.announcedWaiting = Array(repeating: false, count: steps.count)
    }
}
