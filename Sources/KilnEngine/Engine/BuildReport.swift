/// What `BuildEngine.run` returns: the summary (exit code, failures) and the manifest it wrote.
public struct BuildReport: Sendable {
    public var summary: BuildSummary
    public var manifest: OutputManifest
    /// Every step's final status, in plan order.
    public var outcome: BuildScheduler.Summary
}
