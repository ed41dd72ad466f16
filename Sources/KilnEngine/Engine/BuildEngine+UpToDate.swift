import Foundation
import KilnCore
import KilnLock
import KilnOutputs

extension BuildEngine {
    /// The earlier manifest's entries for the steps that will not run, so the manifest written at
    /// the end still lists their files. A step whose entries are missing (the manifest was deleted,
    /// or was written for another key) is demoted: it runs, normally as a cache hit.
    func earlierEntries(_ check: inout UpToDateCheck) -> [StepID: [EarlierManifest.Entry]] {
        guard !check.upToDate.isEmpty else { return [:] }
        let byPath = EarlierManifest.read(from: options.resolvedManifestPath)?.entries ?? [:]
        var entries = [StepID: [EarlierManifest.Entry]]()
        var demoted = [StepID]()
        for step in plan.steps where check.upToDate.contains(step.id) {
            let files = step.outputs.compactMap { output in
                byPath[output.path].flatMap { $0.cacheKey == step.cacheKey ? $0 : nil }
            }
            if files.count == step.outputs.count {
                entries[step.id] = files
            } else {
                demoted.append(step.id)
            }
        }
        if !demoted.isEmpty { check.demote(demoted, plan: plan) }
        return entries
    }

    /// Whether `run` would run no step and write no file: every step is up to date and the output
    /// manifest is there. The caller need not start what only running steps use (libvips).
    public static func changesNothing(_ plan: Plan, upToDate check: UpToDateCheck, options: BuildOptions) -> Bool {
        !plan.steps.isEmpty && check.upToDate.count == plan.steps.count
            && FileManager.default.fileExists(atPath: options.resolvedManifestPath.path)
    }

    /// The report of a build in which every step was up to date: nothing ran, and the output
    /// manifest on disk (which already describes every file) is left untouched, so a no-op build
    /// rewrites nothing — committed outputs stay clean in version control.
    func unchangedReport(elapsedMS: Int) -> BuildReport {
        let count = plan.steps.count
        let summary = BuildSummary(
            totalSteps: count, built: 0, cached: 0, upToDate: count, failed: 0, skipped: 0, files: 0, bytes: 0,
            costUSD: 0, usage: nil, elapsedMS: elapsedMS, stopReason: nil, failures: [], notRun: [],
            manifestPath: options.resolvedManifestPath.path, manifestError: nil)
        progress.handle(.summary(summary))
        return BuildReport(summary: summary, manifestFile: nil,
                           outcome: BuildScheduler(steps: [], limits: [:]).snapshot(),
                           upToDate: upToDate.upToDate, produced: [:])
    }

    /// Reads an up-to-date upstream's image from its first output file, for a step that runs.
    func readEarlierOutput(of ref: StepID, at url: URL, for step: StepID) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw EngineError(.inputMissing, "\(step): cannot read \(url.path), the output of @\(ref) it reads: "
                + "\(SystemErrorText.describe(error)); run the build again")
        }
    }
}

extension OutputManifest {
    /// The manifest at `url`, or nil when there is none or it cannot be read as this version.
    static func read(from url: URL) -> OutputManifest? {
        guard let data = try? Data(contentsOf: url),
              let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data),
              manifest.version == currentVersion else { return nil }
        return manifest
    }
}
