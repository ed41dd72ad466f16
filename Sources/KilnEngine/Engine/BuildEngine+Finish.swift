import Foundation
import KilnCore
import KilnLock
import KilnOutputs

extension BuildEngine {
    /// Builds the output manifest and summary from every step's outcome, writes the manifest
    /// atomically, and emits `skipped` and `summary` events. `earlier`: the manifest entries of
    /// the steps that were up to date (`check`) and did not run.
    func finish(_ outcome: BuildScheduler.Summary, runs: [StepID: StepRun], check: UpToDateCheck,
                earlier: [StepID: [EarlierManifest.Entry]], elapsedMS: Int) -> BuildReport {
        var texts = [OutputManifest.EntryText]()
        texts.reserveCapacity(plan.steps.count)
        var thisBuild = (files: 0, bytes: 0)
        var entries = [OutputManifest.Step]()
        var failures = [BuildSummary.Failure]()
        var notRun = [BuildSummary.NotRun]()
        var costUSD = 0.0
        var usage: Usage?
        var built = 0, cached = 0, upToDate = 0, failed = 0, skipped = 0
        var produced = [StepID: [String: String]]()
        var unchanged = [EarlierManifest.Entry]()
        // The scheduler saw the steps that ran, in plan order: walk both lists together.
        var next = 0
        for step in plan.steps {
            if check.upToDate.contains(step.id) {
                upToDate += 1
                unchanged += earlier[step.id] ?? []
                continue
            }
            var status = BuildScheduler.Status.notRun
            if next < outcome.ids.count, outcome.ids[next] == step.id {
                status = outcome.statusList[next]
                next += 1
            }
            func entry(_ s: OutputManifest.Step.Status, _ error: String, because: StepID? = nil) {
                entries.append(.init(step: step.id, kind: step.kind, status: s, error: error, because: because,
                                     cacheKey: step.cacheKey, outputs: step.outputs.map(\.path).sorted()))
            }
            switch (status, runs[step.id]?.outcome) {
            case let (.succeeded, .succeeded(success)?):
                var digests = [String: String]()
                for (file, entry) in zip(success.files, success.encodedFiles) {
                    texts.append(.init(path: file.path, text: entry))
                    digests[file.path] = file.sha256
                    thisBuild.files += 1
                    thisBuild.bytes += file.bytes
                }
                produced[step.id] = digests
                if success.fromCache {
                    cached += 1
                } else {
                    built += 1
                    costUSD += success.cost.usd
                    if let u = success.usage { usage = usage.map { $0 + u } ?? u }
                }
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
                progress.handle(.skipped(step.id, because: because, reason: reason))
            default:
                skipped += 1
                let reason = "not run: " + Self.describe(outcome.stopReason)
                notRun.append(.init(step: step.id, because: nil, reason: reason))
                entry(.notRun, reason)
                progress.handle(.skipped(step.id, because: nil, reason: reason))
            }
        }
        let manifestURL = options.resolvedManifestPath
        if options.keepEarlierFiles {
            let planned = Set(plan.steps.flatMap { $0.outputs.map(\.path) })
            unchanged += OutputManifest.carriedOver(from: manifestURL, outputDirectory: options.outputDirectory,
                                                    excluding: planned)
        }
        texts += unchanged.map { .init(path: $0.path, text: $0.text) }
        let totals = OutputManifest.Totals(
            steps: plan.steps.count, files: texts.count, bytes: thisBuild.bytes + unchanged.reduce(0) { $0 + $1.bytes },
            costUSD: costUSD, usage: usage.map(UsageRecord.init), built: built, cached: cached, upToDate: upToDate,
            failed: failed, skipped: skipped)
        var manifestError: String?
        do {
            let data = try OutputManifest.assemble(files: texts, steps: entries.sorted { $0.step < $1.step },
                                                   totals: totals)
            try AtomicFile.write(data, to: manifestURL)
        } catch {
            manifestError = "cannot write the output manifest \(manifestURL.path): \(SystemErrorText.describe(error))"
            logger.error("output manifest not written", metadata: ["error": "\(error)"])
        }
        let summary = BuildSummary(
            totalSteps: plan.steps.count, built: built, cached: cached, upToDate: upToDate, failed: failed, skipped: skipped,
            files: thisBuild.files, bytes: thisBuild.bytes, costUSD: costUSD, usage: usage.map(UsageRecord.init),
            elapsedMS: elapsedMS, stopReason: outcome.stopReason.map { Self.describe($0) }, failures: failures,
            notRun: notRun, manifestPath: manifestURL.path, manifestError: manifestError)
        progress.handle(.summary(summary))
        return BuildReport(summary: summary, manifestFile: manifestError == nil ? manifestURL : nil, outcome: outcome,
                           upToDate: check.upToDate, produced: produced)
    }

    private static func money(_ usd: Double) -> String { String(format: "$%.4f", usd) }

    static func describe(_ reason: BuildScheduler.StopReason?) -> String {
        switch reason {
        case let .failure(id)?: "the build stopped after \(id) failed (use --keep-going to run independent steps)"
        case let .fatalFailure(id)?: "the build stopped: \(id) failed in a way every other call would repeat"
        case .stopRequested?: "the build was stopped (interrupt)"
        case .cancelled?: "the build was cancelled"
        case let .budget(id, spent, limit)?:
            "the build stopped before \(id): its estimate would take the spend (\(money(spent)) so far) "
                + "past --max-cost \(money(limit))"
        case nil: "its inputs never became available"
        }
    }
}
