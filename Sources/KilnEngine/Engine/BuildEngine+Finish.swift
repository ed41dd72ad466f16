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
        var tally = BuildTally(capacity: plan.steps.count)
        let notRunReason = "not run: " + Self.describe(outcome.stopReason)
        // The scheduler saw the steps that ran, in plan order: walk both lists together.
        var next = 0
        for step in plan.steps {
            if check.upToDate.contains(step.id) {
                tally.upToDate(earlier[step.id] ?? [])
                continue
            }
            var status = BuildScheduler.Status.notRun
            if next < outcome.ids.count, outcome.ids[next] == step.id {
                status = outcome.statusList[next]
                next += 1
            }
            if let skipped = tally.add(step, status: status, run: runs[step.id]?.outcome,
                                       notRunReason: notRunReason) {
                progress.handle(.skipped(step.id, because: skipped.because, reason: skipped.reason))
            }
        }
        let manifestURL = options.resolvedManifestPath
        let manifestError = writeManifest(&tally, to: manifestURL)
        let summary = BuildSummary(
            totalSteps: plan.steps.count, built: tally.built, cached: tally.cached, upToDate: tally.upToDateCount,
            failed: tally.failed, skipped: tally.skipped, files: tally.files, bytes: tally.bytes, costUSD: tally.costUSD,
            usage: tally.usage.map(UsageRecord.init), elapsedMS: elapsedMS,
            stopReason: outcome.stopReason.map { Self.describe($0) }, failures: tally.failures,
            notRun: tally.notRun, manifestPath: manifestURL.path, manifestError: manifestError)
        progress.handle(.summary(summary))
        return BuildReport(summary: summary, manifestFile: manifestError == nil ? manifestURL : nil, outcome: outcome,
                           upToDate: check.upToDate, produced: tally.produced)
    }

    /// Writes outputs/manifest.json from the tally (with the entries an earlier build left, for a
    /// build of some targets); returns why it could not be written, or nil.
    private func writeManifest(_ tally: inout BuildTally, to manifestURL: URL) -> String? {
        if options.keepEarlierFiles {
            let planned = Set(plan.steps.flatMap { $0.outputs.map(\.path) })
            tally.unchanged += OutputManifest.carriedOver(from: manifestURL, outputDirectory: options.outputDirectory,
                                                          excluding: planned)
        }
        let texts = tally.texts + tally.unchanged.map { .init(path: $0.path, text: $0.text) }
        let totals = OutputManifest.Totals(
            steps: plan.steps.count, files: texts.count, bytes: tally.bytes + tally.unchanged.reduce(0) { $0 + $1.bytes },
            costUSD: tally.costUSD, usage: tally.usage.map(UsageRecord.init), built: tally.built, cached: tally.cached,
            upToDate: tally.upToDateCount, failed: tally.failed, skipped: tally.skipped)
        do {
            let data = try OutputManifest.assemble(files: texts, steps: tally.entries.sorted { $0.step < $1.step },
                                                   totals: totals)
            try AtomicFile.write(data, to: manifestURL)
            return nil
        } catch {
            logger.error("output manifest not written", metadata: ["error": "\(error)"])
            return "cannot write the output manifest \(manifestURL.path): \(SystemErrorText.describe(error))"
        }
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
