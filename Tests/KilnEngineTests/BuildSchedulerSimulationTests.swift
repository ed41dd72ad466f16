import KilnCore
import KilnEngine
import Testing

/// Drives the scheduler through random plans and random completion orders (seeded, so
/// reproducible) and checks the invariants every run must keep.
@Suite struct BuildSchedulerSimulationTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [(UInt64(1), false), (2, true), (3, false), (4, true), (5, false), (6, true), (7, true), (8, false)])
    func randomPlansKeepTheInvariants(seed: UInt64, keepGoing: Bool) {
        var rng = SplitMix(state: seed)
        let count = Int.random(in: 20...60, using: &rng)
        let pools = ["net", "local", "other"]
        let limits = ["net": Int.random(in: 1...4, using: &rng), "local": Int.random(in: 1...3, using: &rng)]
        var steps = [BuildScheduler.Step]()
        for i in 0..<count {
            let id = StepID(pipeline: "p", asset: "a", variant: nil, step: "s\(i)")
            let deps = i == 0 ? [] : (0..<Int.random(in: 0...2, using: &rng)).map { _ in
                steps[Int.random(in: 0..<i, using: &rng)].id
            }
            steps.append(.init(id: id, dependencies: deps, pools: [pools.randomElement(using: &rng)!]))
        }
        let failing = Set(steps.filter { _ in Int.random(in: 0..<10, using: &rng) == 0 }.map(\.id))
        var s = BuildScheduler(steps: steps, limits: limits, keepGoing: keepGoing)
        var running = [StepID]()
        var succeeded = Set<StepID>()
        var action = s.begin()
        var finished: BuildScheduler.Summary?
        for _ in 0..<10_000 {
            switch action {
            case let .finish(summary):
                finished = summary
            case let .start(ids):
                for id in ids {
                    let step = steps.first { $0.id == id }!
                    #expect(step.dependencies.allSatisfy(succeeded.contains), "\(id) started before its dependencies")
                    #expect(!running.contains(id))
                    running.append(id)
                }
            case .wait:
                break
            }
            if finished != nil { break }
            for (pool, limit) in limits {
                let used = running.filter { id in steps.first { $0.id == id }!.pools.contains(pool) }.count
                #expect(used <= limit, "pool \(pool) over its limit")
            }
            guard !running.isEmpty else { Issue.record("waiting with nothing running"); return }
            let id = running.remove(at: Int.random(in: 0..<running.count, using: &rng))
            if failing.contains(id) {
                action = s.handle(.stepFailed(id, stopsRun: false))
            } else {
                succeeded.insert(id)
                action = s.handle(.stepSucceeded(id))
            }
        }
        guard let summary = finished else { Issue.record("never finished"); return }
        #expect(running.isEmpty)
        for (step, status) in zip(steps, summary.statusList) {
            #expect(status != .pending && status != .running)
            if keepGoing && status == .notRun { Issue.record("\(step.id) not run with keep-going") }
            if case let .skipped(because) = status { #expect(failing.contains(because)) }
        }
        if failing.isEmpty { #expect(summary.allSucceeded) }
    }
}
