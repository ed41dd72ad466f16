import Foundation
import KilnCore

extension LockFile {
    /// The lockfile after a build of `plan`: each step that succeeded gets its new entry; a step
    /// that was up to date keeps its outputs under a fresh fingerprint (an input renamed without
    /// changing its bytes updates the entry); a step that failed or did not run keeps its earlier
    /// entry, which still describes the files on disk. With `keepOthers` (a build of some targets)
    /// the entries of steps outside the plan stay; a full build drops them (they left the
    /// manifests), and the picks and re-roll salts of steps no longer planned with candidates.
    /// - Parameters:
    ///   - produced: each step that succeeded in the build (built or from cache): its output paths
    ///     and their sha256.
    ///   - upToDate: the steps that did not run because their outputs were current.
    public func updated(produced: [StepID: [String: String]], upToDate: Set<StepID>, plan: Plan,
                        keepOthers: Bool) -> LockFile {
        var steps = keepOthers ? self.steps : [:]
        let keys = plan.upstreamKeys()
        for step in plan.steps {
            let fingerprint = StepFingerprint(step: step, upstreamKeys: keys)
            if let produced = produced[step.id] {
                let outputs = produced.map { Output(path: $0.key, sha256: $0.value) }
                steps[step.id] = Step(step: step, fingerprint: fingerprint, outputs: outputs)
            } else if upToDate.contains(step.id), let earlier = self.steps[step.id] {
                steps[step.id] = Step(step: step, fingerprint: fingerprint, outputs: earlier.outputs)
            } else if let earlier = self.steps[step.id] {
                steps[step.id] = earlier
            }
        }
        return LockFile(steps: steps, choices: choicesKept(for: plan, keepOthers: keepOthers))
    }

    /// What a build reads back from the lockfile: each step's key and output digests.
    public func baselineRecords() -> [StepID: BuildBaseline.Record] {
        var records = [StepID: BuildBaseline.Record]()
        records.reserveCapacity(steps.count)
        for (id, step) in steps {
            var outputs = [String: String]()
            for output in step.outputs { outputs[output.path] = output.sha256 }
            records[id] = .init(cacheKey: step.cacheKey, outputs: outputs)
        }
        return records
    }
}

extension Plan {
    /// Every step's cache key by id (aliases included), for fingerprints of the steps that read them.
    public func upstreamKeys() -> [StepID: String] {
        var keys = [StepID: String]()
        keys.reserveCapacity(steps.count)
        for step in steps {
            keys[step.id] = step.cacheKey
            for alias in step.aliases { keys[alias] = step.cacheKey }
        }
        return keys
    }
}
