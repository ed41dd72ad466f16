import KilnCore

/// One plain line per finished, cached, failed or skipped step, for logs and CI.
/// `nil` for events that print nothing.
public struct PlainLineRenderer: Sendable {
    public init() {}

    public func line(for event: BuildEvent) -> String? {
        guard let step = event.step else {
            if event.event == .buildStarted {
                let total = event.total ?? 0, current = event.upToDate ?? 0
                if current == total { return "all \(total) step(s) up to date: nothing to build, no provider calls" }
                let count = current > 0 ? "\(total - current) of \(total) step(s) (\(current) up to date)" : "\(total) step(s)"
                return "building \(count), estimated \(formatUSD(event.estimatedCostUSD ?? 0))"
            }
            if event.event == .warning { return "warning: \(event.error ?? "")" }
            return nil
        }
        let ms = event.durationMS.map { " (\($0) ms)" } ?? ""
        switch event.event {
        case .finished:
            let cost = (event.costUSD ?? 0) > 0 ? ", \(formatUSD(event.costUSD ?? 0))" : ""
            return "built   \(step)\(ms)\(cost)" + outputs(event)
        case .cached: return "cached  \(step)" + outputs(event)
        case .failed: return "FAILED  \(step)\(ms): \(event.error ?? "")"
        case .skipped: return "skipped \(step): \(event.error ?? "")"
        case .warning: return "warning: \(step): \(event.error ?? "")"
        case .buildStarted, .started, .waitingForSlot, .summary: return nil
        }
    }

    private func outputs(_ event: BuildEvent) -> String {
        guard let files = event.outputs, !files.isEmpty else { return "" }
        return " → " + files.joined(separator: ", ")
    }
}
