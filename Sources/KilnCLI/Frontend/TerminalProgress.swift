import Foundation
import KilnEngine
import Synchronization

/// Renders build events for a person or a machine:
/// - `.live`: one status line on stderr, repainted in place (a TTY);
/// - `.plain`: one line per finished step on stderr (CI logs);
/// - `.jsonLines`: JSON Lines events on stdout, for tooling (human output goes to stderr).
/// Progress is never on stdout, which carries only data. While provider requests wait, `tick()`
/// (called every second by the build) says so: on the status line, or a log line every 30 s.
public final class TerminalProgress: BuildProgressSink {
    public enum Mode: Sendable { case live, plain, jsonLines }

    struct State {
        var status = StatusLineRenderer()
        var lastPaint = 0.0
        var painted = false
        var lastRateLimitNote = -10.0
        var stalls = StallWatch()
    }

    let mode: Mode
    let start = Date()
    let state = Mutex(State())
    /// Where JSON Lines go instead of stdout, taken from `lineSink` when the progress is made.
    let sink: LineSink?

    /// Where a build's JSON Lines go. A struct, not an optional closure: a `@TaskLocal` of
    /// optional-closure type crashed `withValue` in optimised builds (Swift 6.3, a segfault in
    /// `swift_task_localValuePush` on every `POST /api/builds` of a release `kiln serve`).
    struct LineSink: Sendable {
        let send: @Sendable (String) -> Void
    }

    /// Set around a build whose `--json` events go elsewhere than stdout (`kiln serve`'s
    /// `/api/builds` streams them to the client, and its stdout belongs to the server).
    @TaskLocal static var lineSink: LineSink?

    public init(mode: Mode) {
        self.mode = mode
        sink = Self.lineSink
    }

    /// One JSON Lines event, to the sink or stdout.
    func emit(_ line: String) {
        if let sink { sink.send(line) } else { Console.out(Self.terminated(line)) }
    }

    /// A provider is holding requests back for its rate limit: not a failure, but worth saying
    /// (at most every five seconds).
    public func rateLimited(_ description: String) {
        let elapsed = Date().timeIntervalSince(start)
        let due = state.withLock { s in
            guard elapsed - s.lastRateLimitNote >= 5 else { return false }
            s.lastRateLimitNote = elapsed
            return true
        }
        guard due else { return }
        switch mode {
        case .jsonLines:
            var event = BuildEvent(.waitingForSlot)
            event.pool = "rate limit"
            event.error = description
            if let line = try? JSONLinesRenderer().line(for: event) { emit(line) }
        case .plain:
            Console.err("waiting \(description)")
        case .live:
            Console.errRaw("\r\u{1B}[2K" + "kiln: \(description)\n")
        }
    }

    /// One line, ending in exactly one newline (JSON Lines allows no blank lines).
    static func terminated(_ line: String) -> String {
        line.hasSuffix("\n") ? line : line + "\n"
    }

    /// Says what the build is waiting for when provider requests have been in flight a while.
    public func tick() {
        let elapsed = Date().timeIntervalSince(start)
        switch mode {
        case .jsonLines, .plain:
            if let line = state.withLock({ $0.stalls.logLine(at: elapsed) }) { Console.err(line) }
        case .live:
            state.withLock { s in
                guard s.painted, let stall = s.stalls.status(at: elapsed) else { return }
                s.lastPaint = elapsed
                Console.errRaw("\r\u{1B}[2K" + s.status.line(elapsedSeconds: elapsed) + " · " + stall)
            }
        }
    }

    public func handle(_ event: BuildEvent) {
        let elapsed = Date().timeIntervalSince(start)
        state.withLock { $0.stalls.apply(event, at: elapsed) }
        switch mode {
        case .jsonLines:
            if let line = try? JSONLinesRenderer().line(for: event) { emit(line) }
        case .plain:
            if let line = PlainLineRenderer().line(for: event) { Console.errRaw(Self.terminated(line)) }
        case .live:
            state.withLock { s in
                s.status.apply(event)
                if case .failed = event.event, let step = event.step {
                    // Failures and warnings stay on screen above the status line.
                    Console.errRaw("\r\u{1B}[2K" + "FAILED \(step): \(event.error ?? "")\n")
                } else if event.event == .warning {
                    let subject = event.step.map { "\($0): " } ?? ""
                    Console.errRaw("\r\u{1B}[2K" + "warning: \(subject)\(event.error ?? "")\n")
                }
                // Repaint at most ten times a second, and always at the end.
                guard event.event == .summary || elapsed - s.lastPaint >= 0.1 || !s.painted else { return }
                s.lastPaint = elapsed
                s.painted = true
                let line = event.event == .summary ? "" : s.status.line(elapsedSeconds: elapsed)
                Console.errRaw("\r\u{1B}[2K" + line)
            }
        }
    }
}
