import Foundation
import KilnCore
import KilnOutputs

/// What `BuildEngine.run` returns: the summary (exit code, failures), where the manifest was
/// written, and what each step's outputs are now (for the lockfile and the stat cache).
public struct BuildReport: Sendable {
    public var summary: BuildSummary
    /// The output manifest this build wrote; nil when it wrote none (every step was up to date,
    /// or the write failed — the summary says which).
    public var manifestFile: URL?
    /// The final status of each step that ran, in plan order (up-to-date steps are not in it).
    public var outcome: BuildScheduler.Summary
    /// Steps that did not run because their outputs were current.
    public var upToDate: Set<StepID>
    /// Each step that succeeded in this build (built or from cache): its output paths and their
    /// sha256, keyed by the step's id in the plan.
    public var produced: [StepID: [String: String]]

    /// The manifest this build wrote, read back from disk (decoded on each call: the engine never
    /// holds a large manifest in memory).
    public var manifest: OutputManifest? {
        manifestFile.flatMap(OutputManifest.read(from:))
    }

    /// Whether `--max-cost` stopped the build (a step was not started because it would have
    /// taken the spend past the budget).
    public var stoppedByBudget: Bool {
        if case .budget? = outcome.stopReason { true } else { false }
    }
}
