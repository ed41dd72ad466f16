import KilnCore

/// The live TTY status line: `[12/40] running 8 · cached 3 · failed 1 · $0.42 · 0:37 · ETA 1:05`.
/// Feed it every event; ask for `line(elapsedSeconds:)` whenever the terminal should repaint.
/// Plain state, no clock: the caller passes the elapsed time.
public struct StatusLineRenderer: Sendable {
    public private(set) var total = 0
    public private(set) var done = 0
    public private(set) var running = 0
    public private(set) var cached = 0
    public private(set) var failed = 0
    public private(set) var waiting = 0
    public private(set) var spentUSD = 0.0

    public init() {}

    public mutating func apply(_ event: BuildEvent) {
        switch event.event {
        case .buildStarted:
            total = event.total ?? 0
            done = event.upToDate ?? 0
        case .started: running += 1
        case .waitingForSlot: waiting += 1
        case .finished, .cached, .failed:
            running = max(0, running - 1)
            done += 1
            if event.event == .cached { cached += 1 }
            if event.event == .failed { failed += 1 }
            spentUSD += event.costUSD ?? 0
        case .skipped: done += 1
        case .summary: running = 0
        case .warning: break
        }
    }

    /// The status line, without a newline; the caller prefixes `\r` and clears to the end of line.
    public func line(elapsedSeconds: Double) -> String {
        var parts = ["[\(done)/\(total)] running \(running)"]
        if cached > 0 { parts.append("cached \(cached)") }
        if failed > 0 { parts.append("failed \(failed)") }
        parts.append(formatUSD(spentUSD))
        parts.append(formatClock(elapsedSeconds))
        if let eta = eta(elapsedSeconds: elapsedSeconds) { parts.append("ETA \(formatClock(eta))") }
        return parts.joined(separator: " · ")
    }

    /// Remaining time at the average pace so far; nil until one step is done.
    public func eta(elapsedSeconds: Double) -> Double? {
        guard done > 0, total > done else { return nil }
        return elapsedSeconds / Double(done) * Double(total - done)
    }
}

func formatClock(_ seconds: Double) -> String {
    let s = max(0, Int(seconds.rounded()))
    let (h, m, r) = (s / 3600, (s % 3600) / 60, s % 60)
    let mm = h > 0 && m < 10 ? "0\(m)" : "\(m)"
    return (h > 0 ? "\(h):" : "") + mm + ":" + (r < 10 ? "0\(r)" : "\(r)")
}

func formatUSD(_ usd: Double) -> String {
    let cents = Int((usd * 100).rounded())
    let rest = cents % 100
    return "$\(cents / 100)." + (rest < 10 ? "0\(rest)" : "\(rest)")
}
