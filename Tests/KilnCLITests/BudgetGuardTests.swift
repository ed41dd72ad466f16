import KilnCore
@testable import KilnCLI
import KilnEngine
import Synchronization
import Testing

private final class Collect: BuildProgressSink {
    let events = Mutex<[BuildEvent]>([])
    func handle(_ event: BuildEvent) { events.withLock { $0.append(event) } }
}

private func finished(_ step: String, cost: Double) -> BuildEvent {
    BuildEvent.done(StepID(pipeline: "p", asset: "a", variant: nil, step: step), cached: false, outputs: [],
                    durationMS: 1, costUSD: cost)
}

@Test func budgetStopsOnceWhenSpendReachesTheLimitAndForwardsEverything() {
    let next = Collect()
    let guardian = BudgetGuard(limitUSD: 1.0, forwardingTo: next)
    let stops = Mutex(0)
    guardian.onLimit { stops.withLock { $0 += 1 } }
    guardian.handle(finished("a", cost: 0.4))
    guardian.handle(finished("b", cost: 0.5))
    #expect(!guardian.tripped)
    #expect(stops.withLock { $0 } == 0)
    guardian.handle(finished("c", cost: 0.2))
    guardian.handle(finished("d", cost: 0.2))
    #expect(guardian.tripped)
    #expect(stops.withLock { $0 } == 1)
    #expect(next.events.withLock { $0.count } == 4)
}
