import Foundation
import KilnCore
import KilnOutputs

/// What a build did, step by step, as `finish` walks the plan: the counts, spend and failures the
/// summary reports, and the entries the output manifest lists.
struct BuildTally {
    var texts = [OutputManifest.EntryText]()
    var entries = [OutputManifest.Step]()
    var failures = [BuildSummary.Failure]()
    var notRun = [BuildSummary.NotRun]()
    /// Files and bytes this build wrote (up-to-date steps' files are in `unchanged`).
    var files = 0, bytes = 0
    var costUSD = 0.0
    var usage: Usage?
    var built = 0, cached = 0, upToDateCount = 0, failed = 0, skipped = 0
    /// Each step that succeeded: its output paths and their sha256.
    var produced = [StepID: [String: String]]()
    /// Manifest entries of steps that did not run because they were current.
    var unchanged = [EarlierManifest.Entry]()

    init(capacity: Int) {
        texts.reserveCapacity(capacity)
    }

    mutating func upToDate(_ earlier: [EarlierManifest.Entry]) {
        upToDateCount += 1
        unchanged += earlier
    }

    /// Records one step that was to run. Returns the step's `skipped` event (why it did not run),
    /// if it did not.
    mutating func add(_ step: PlannedStep, status: BuildScheduler.Status, run: StepRun.Outcome?,
                      notRunReason: String) -> (because: StepID?, reason: String)? {
        func entry(_ s: OutputManifest.Step.Status, _ error: String, because: StepID? = nil) {
            entries.append(.init(step: step.id, kind: step.kind, status: s, error: error, because: because,
                                 cacheKey: step.cacheKey, outputs: step.outputs.map(\.path).sorted()))
        }
        switch (status, run) {
        case let (.succeeded, .succeeded(success)?):
            succeeded(step, success)
        case let (.failed, .failed(message, _)?):
            failed += 1
            failures.append(.init(step: step.id, error: message))
            entry(.failed, message)
        case (.cancelled, _):
            failed += 1
            failures.append(.init(step: step.id, error: "cancelled"))
            entry(.cancelled, "cancelled while running")
        case let (.skipped(because), _):
            skipped += 1
            let reason = "not run: \(because) failed"
            notRun.append(.init(step: step.id, because: because, reason: reason))
            entry(.skipped, reason, because: because)
            return (because, reason)
        default:
            skipped += 1
            notRun.append(.init(step: step.id, because: nil, reason: notRunReason))
            entry(.notRun, notRunReason)
            return (nil, notRunReason)
        }
        return nil
    }

    private mutating func succeeded(_ step: PlannedStep, _ success: StepSuccess) {
        var digests = [String: String]()
        for (file, entry) in zip(success.files, success.encodedFiles) {
            texts.append(.init(path: file.path, text: entry))
            digests[file.path] = file.sha256
            files += 1
            bytes += file.bytes
        }
        produced[step.id] = digests
        if success.fromCache {
            cached += 1
        } else {
            built += 1
            costUSD += success.cost.usd
            if let u = success.usage { usage = usage.map { $0 + u } ?? u }
        }
    }
}
