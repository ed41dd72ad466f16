import Foundation
import KilnCore
import KilnCache
import KilnOutputs

/// What one step's child task reports back to the run loop.
struct StepRun: Sendable {
    enum Outcome: Sendable {
        case succeeded(StepSuccess)
        case failed(String, stopsRun: Bool)
        case cancelled
    }

    var id: StepID
    var outcome: Outcome
    var durationMS: Int
    /// What a step that failed after its answer was paid for spent (its result failed its check):
    /// the budget counts it, not the estimate given back.
    var spentUSD: Double? = nil

    /// The same run without image bytes, for keeping until the manifest is written.
    func withoutImages() -> StepRun {
        guard case var .succeeded(success) = outcome else { return self }
        success.images = []
        return StepRun(id: id, outcome: .succeeded(success), durationMS: durationMS)
    }
}

/// A finished step: its images (for downstream steps) and what the manifest records.
struct StepSuccess: Sendable {
    var images: [Data]
    var files: [OutputManifest.File]
    /// Each file's output-manifest entry, encoded while the build runs, indented to be spliced
    /// into the manifest's `files` as it is (`File.entryText(depth: 2)`).
    var encodedFiles: [Data]
    var usage: Usage?
    var cost: OutputManifest.Cost
    var fromCache: Bool
}

/// A provider answer, a derive result, or a cache hit standing in for either.
struct Produced: Sendable {
    var images: [Data]
    /// The images' SHA-256 when known already (taken while an answer was decoded, or from the
    /// cache record a hit was checked against): not hashed again to store and write them.
    var digests: [String]? = nil
    var usage: Usage?
    var requestID: String?
    var resolved: [String: String]
    var fromCache: Bool
    /// A cache hit whose answer `kiln adopt` recorded from an existing file: no provider made it,
    /// so the output manifest says so and counts no cost for it.
    var adopted = false
    /// For a cache hit, the blobs its images were just read from and checked (nil for a format-3
    /// entry): outputs are placed from them instead of written.
    var blobs: [String]? = nil
    /// A derive's input, read and checked for this run: the output check needs its size.
    var deriveInput: Data? = nil
    /// Held from a cache miss until the answer is stored, so another build sharing the cache waits
    /// for it instead of paying for the same key (see `ResultCache.lock`).
    var keyLock: CacheKeyLock? = nil
    /// Stored in the cache already, by the step whose request made it (one request for several
    /// candidates): not stored again; `blobs` are where it went.
    var alreadyStored = false
    /// Made by another step's request, whose cost went to the budget with that step's result.
    var prepaid = false
    /// For the step that led one request for several candidates: the other candidates' images,
    /// stored already, by their ids; each candidate's step picks up its own when it starts.
    var handoffs = [StepID: Produced]()
}

extension Produced {
    /// Each image's SHA-256, taken now only where it was not known.
    var sha256s: [String] {
        digests.flatMap { $0.count == images.count ? $0 : nil } ?? images.map(Digest.sha256)
    }

    /// A result that passed its in-memory checks, on its way to the cache and outputs/.
    struct Checked: Sendable {
        var step: PlannedStep
        var result: Produced
        var verified: [ImageInfo]
        var start: ContinuousClock.Instant
    }
}

/// What a step's first phase hands back to the run loop.
enum PhaseOne: Sendable {
    /// Images to store and write, checked in memory: what each output will be. The step's slots
    /// can go to others now, and the steps that read it can start.
    case produced(Produced, verified: [ImageInfo])
    /// The step already ended (failed or cancelled).
    case done(StepRun)
}
