import Foundation
import KilnCore
import KilnEngine
import KilnPlanner
import Synchronization

/// `--max-cost`: watches what steps actually cost as they finish and, once the spend reaches the
/// limit, stops the build from starting anything more (steps in flight finish and are kept).
final class BudgetGuard: BuildProgressSink {
    let limitUSD: Double
    let next: any BuildProgressSink
    private let state = Mutex<(spent: Double, tripped: Bool, stop: (@Sendable () -> Void)?)>((0, false, nil))

    init(limitUSD: Double, forwardingTo next: any BuildProgressSink) {
        self.limitUSD = limitUSD
        self.next = next
    }

    /// What to call when the limit is reached (the engine's graceful stop).
    func onLimit(_ stop: @escaping @Sendable () -> Void) {
        state.withLock { $0.stop = stop }
    }

    /// Whether the limit stopped the build.
    var tripped: Bool { state.withLock { $0.tripped } }
    var spentUSD: Double { state.withLock { $0.spent } }

    func handle(_ event: BuildEvent) {
        next.handle(event)
        guard event.event == .finished, let cost = event.costUSD, cost > 0 else { return }
        let stop: (@Sendable () -> Void)? = state.withLock { s in
            s.spent += cost
            guard s.spent >= limitUSD, !s.tripped else { return nil }
            s.tripped = true
            return s.stop
        }
        if let stop {
            Console.err("kiln: spent \(PlanFormatter.money(spentUSD)) of --max-cost \(PlanFormatter.money(limitUSD)): starting nothing more")
            stop()
        }
    }
}

