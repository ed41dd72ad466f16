import Foundation
import KilnCore

extension BuildEngine {
    /// A full disk while saving a result fails the step in a way that stops the build from
    /// starting more paid steps (`stopsRun`): every further answer would be paid for and lost.
    /// The message says whether the answer survived (in outputs/ or the cache) and what to free.
    func outOfSpace(_ step: PlannedStep, _ produced: Produced, written: Result<[OutputWriter.Written], any Error>,
                    storeFailure: (any Error)?, start: ContinuousClock.Instant) -> StepRun? {
        let writeFailure: (any Error)? = if case let .failure(error) = written { error } else { nil }
        let full = [storeFailure, writeFailure].compactMap { $0 }.filter(AtomicFile.isOutOfSpace)
        guard !full.isEmpty else { return nil }
        let paid = step.kind.usesProvider && !produced.fromCache
        let kept: String
        switch (storeFailure == nil, writeFailure == nil) {
        case (true, _): kept = "the answer is stored in the cache"
        case (false, true): kept = "the answer is written to outputs/ but not to the cache"
        case (false, false): kept = paid ? "the answer, already paid for, could not be saved" : "nothing could be saved"
        }
        let folders = [cache?.directory.path, options.outputDirectory.path].compactMap { $0 }
        let message = "no space left on the disk while saving (\(kept)); no further paid steps are started. "
            + "Free space where \(folders.joined(separator: " and ")) live (`kiln cache gc` removes cache entries no build uses), then run the build again"
        return StepRun(id: step.id, outcome: .failed(message, stopsRun: true), durationMS: Self.milliseconds(since: start))
    }
}
