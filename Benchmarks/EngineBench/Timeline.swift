import Foundation
import KilnEngine

/// When steps of each kind started and finished, relative to the build's start: where the time
/// between the ideal and the wall time goes.
final class Timeline: BuildProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var marks: [String: (first: Double, last: Double)] = [:]

    func handle(_ event: BuildEvent) {
        guard let step = event.step?.step else { return }
        let kind = step.hasPrefix("thumb") ? "derive" : step.hasPrefix("edit") ? "edit" : "generate"
        mark("\(kind) \(event.event == .started ? "started" : "finished")")
    }

    /// Records that `name` happened now (first and last time are kept).
    func mark(_ name: String) {
        let d = ContinuousClock.now - start
        let t = (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000
        lock.withLock {
            let old = marks[name] ?? (t, t)
            marks[name] = (min(old.first, t), max(old.last, t))
        }
    }

    var summary: String {
        lock.withLock {
            marks.sorted { $0.value.first < $1.value.first }
                .map { String(format: "%@ %.0f–%.0f ms", $0.key, $0.value.first, $0.value.last) }
                .joined(separator: "; ")
        }
    }
}
