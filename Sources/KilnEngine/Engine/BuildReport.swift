import KilnCore

/// What `BuildEngine.run` returns: the summary (exit code, failures), the manifest it wrote,
/// and what each step's outputs are now (for the lockfile and the stat cache).
public struct BuildReport: Sendable {
    public var summary: BuildSummary
    /// The output manifest written; nil when every step was up to date and the manifest on disk
    /// was left as it was.
    public var manifest: OutputManifest?
    /// The final status of each step that ran, in plan order (up-to-date steps are not in it).
    public var outcome: BuildScheduler.Summary
    /// Steps that did not run because their outputs were current.
    public var upToDate: Set<StepID>
    /// Each step that succeeded in this build (built or from cache): its output paths and their
    /// sha256, keyed by the step's id in the plan.
    public var produced: [StepID: [String: String]]
}
