import Foundation
import KilnImaging
import Synchronization
import Testing

/// The work pool must let go of a job (and whatever it captured — image bytes) once it has run,
/// not hold finished jobs until many more have passed.
@Suite struct WorkPoolTests {
    final class Payload: Sendable {}

    @Test func aFinishedJobsCapturedValuesAreFreed() async throws {
        let pool = ImagingWorkPool(threads: 1)
        let watchers = Mutex<[Weak]>([])
        for _ in 0..<20 {
            let payload = Payload()
            watchers.withLock { $0.append(Weak(payload)) }
            _ = try await pool.run { withExtendedLifetime(payload) { 1 } }
        }
        // The worker drops its reference right after resuming us: give it a moment.
        for _ in 0..<100 where watchers.withLock({ $0.contains { $0.value != nil } }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let alive = watchers.withLock { $0.filter { $0.value != nil }.count }
        #expect(alive == 0, "\(alive) of 20 finished jobs still hold what they captured")
    }

    struct Weak: @unchecked Sendable {
        weak var value: Payload?
        init(_ value: Payload) { self.value = value }
    }
}
