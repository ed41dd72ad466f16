import KilnCore

/// Which provider requests are in flight and since when, so a build that is waiting on a slow or
/// stalled provider says so instead of looking hung: a line every `interval` seconds in logs
/// (how many requests, how long the oldest has waited), and the same on a terminal's status line.
/// Plain state, no clock: the caller passes the elapsed time.
public struct StallWatch: Sendable {
    /// Seconds a request may run before it counts as waiting (an image takes 10–60 s).
    public var threshold: Double
    /// Seconds between two lines in a log.
    public var interval: Double
    private var inFlight: [StepID: Double] = [:]
    private var lastLine = -Double.infinity

    public init(threshold: Double = 30, interval: Double = 30) {
        self.threshold = threshold
        self.interval = interval
    }

    /// Tracks provider steps from start to end.
    public mutating func apply(_ event: BuildEvent, at seconds: Double) {
        guard let step = event.step else { return }
        switch event.event {
        case .started where event.stepKind?.usesProvider == true: inFlight[step] = seconds
        case .finished, .cached, .failed, .skipped: inFlight[step] = nil
        default: break
        }
    }

    /// `3 provider request(s) waiting; the oldest, hero/hero/main, for 1:35`, when a request has
    /// waited past the threshold; nil otherwise.
    public func status(at seconds: Double) -> String? {
        guard let (step, start) = inFlight.min(by: { ($0.value, $0.key.description) < ($1.value, $1.key.description) }),
              seconds - start >= threshold else { return nil }
        let count = inFlight.count
        return "\(count) provider request\(count == 1 ? "" : "s") in flight; the oldest, \(step), for \(formatClock(seconds - start))"
    }

    /// The line a log gets now (at most one per interval), or nil.
    public mutating func logLine(at seconds: Double) -> String? {
        guard seconds - lastLine >= interval, let status = status(at: seconds) else { return nil }
        lastLine = seconds
        return "waiting: " + status
    }
}
