import Foundation
import KilnCore

/// The end-of-build summary: counts, spend and time, then each failed step with its error and
/// each step that did not run.
public struct SummaryTableRenderer: Sendable {
    public init() {}

    public func render(_ s: BuildSummary) -> String {
        var rows: [(String, String)] = [
            ("steps", "\(s.totalSteps)"), ("built", "\(s.built)"), ("cached", "\(s.cached)"), ("up to date", "\(s.upToDate)"),
            ("failed", "\(s.failed)"), ("skipped", "\(s.skipped)"), ("written", "\(s.files) file(s), \(s.bytes) bytes"),
            ("spent", formatUSD(s.costUSD)), ("time", formatClock(Double(s.elapsedMS) / 1000)),
        ]
        if let usage = s.usage { rows.append(("tokens", "\(usage.inputTokens) in, \(usage.outputTokens) out")) }
        if let path = s.manifestPath, s.manifestError == nil { rows.append(("manifest", path)) }
        let width = rows.map(\.0.count).max() ?? 0
        var lines = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
        if let reason = s.stopReason { lines.append("stopped: \(reason)") }
        if !s.failures.isEmpty {
            lines.append("failed steps:")
            lines += s.failures.map { "  \($0.step): \($0.error)" }
        }
        if !s.notRun.isEmpty {
            lines.append("not run:")
            lines += s.notRun.map { "  \($0.step): \($0.reason)" }
        }
        if let error = s.manifestError { lines.append("error: \(error)") }
        lines.append(s.succeeded ? "build succeeded" : "build FAILED (exit code \(s.exitCode))")
        return lines.joined(separator: "\n") + "\n"
    }
}
