import Foundation
import KilnCore

/// How a build runs: where it writes, how much runs at once, and what it does on failure.
public struct BuildOptions: Sendable {
    /// Root of every output file (`outputs/`, `--out DIR`).
    public var outputDirectory: URL
    /// Where the output manifest goes; nil means `manifest.json` in `outputDirectory`.
    public var manifestPath: URL?
    /// Provider calls in flight across all providers (`--jobs N`).
    ///
    /// Default 8: an image generation takes 10–60 s and is billed per image, so a handful in flight
    /// already keeps a build moving while staying under the images-per-minute limits of OpenAI's
    /// lower usage tiers; raise it (and `max_in_flight`) on higher tiers.
    public var jobs: Int
    /// Local image jobs (derive steps) at once.
    ///
    /// Default: the number of active cores. libvips work is CPU-bound and each job already uses
    /// the toolkit's own threads; more jobs than cores only adds memory and contention.
    public var localJobs: Int
    /// Run everything not downstream of a failure (`-k/--keep-going`).
    public var keepGoing: Bool
    /// Prices used for the cost of calls whose usage the provider reported.
    public var prices: PriceTable
    /// Record `duration_ms` per file in the output manifest. Durations are the only field that
    /// differs between two runs in the same cache state; turn this off for byte-identical manifests.
    public var recordDurations: Bool
    /// Keep listing files an earlier build wrote that this plan does not (still on disk at the
    /// recorded size). The CLI sets it for a build of some targets, so the manifest still
    /// describes the rest of outputs/; a full build lists exactly what its plan makes.
    public var keepEarlierFiles: Bool
    /// `--max-cost`: no step starts whose estimate would take the build's spend past it (a
    /// scheduler rule, `BuildScheduler`); nil: no limit.
    public var maxCostUSD: Double?
    /// `--link-outputs`: where the file system has no copy-on-write clones (ext4), make each output
    /// a hard link to the cache's copy of its image instead of writing the bytes a second time. The
    /// output is then read-only and *is* the cache's copy: a tool that writes into it in place (as
    /// root, or after a chmod) changes the cached answer too, and the next build that needs it pays
    /// again. Off by default for that reason; clones are used whenever they work, as they are safe.
    public var linkOutputs: Bool
    /// `--cache-only`: no provider call at all. A paid step whose answer neither the local nor the
    /// remote cache has fails (`EngineError.Kind.notCached`); derives still run.
    public var cacheOnly = false
    /// Cache keys whose requests are in a Batch API batch still running (key → batch id): such a
    /// step fails (`EngineError.Kind.inBatch`) instead of paying for its answer a second time.
    public var heldKeys: [String: String] = [:]

    public init(outputDirectory: URL, manifestPath: URL? = nil, jobs: Int = 8,
                localJobs: Int = ProcessInfo.processInfo.activeProcessorCount, keepGoing: Bool = false,
                prices: PriceTable = .builtin, recordDurations: Bool = true, keepEarlierFiles: Bool = false,
                maxCostUSD: Double? = nil, linkOutputs: Bool = false) {
        self.outputDirectory = outputDirectory
        self.manifestPath = manifestPath
        self.jobs = jobs
        self.localJobs = localJobs
        self.keepGoing = keepGoing
        self.prices = prices
        self.recordDurations = recordDurations
        self.keepEarlierFiles = keepEarlierFiles
        self.maxCostUSD = maxCostUSD
        self.linkOutputs = linkOutputs
    }

    /// The output manifest's location.
    public var resolvedManifestPath: URL {
        manifestPath ?? outputDirectory.appendingPathComponent("manifest.json")
    }
}

/// Names of the scheduler pools the engine uses.
public enum BuildPool {
    /// Every provider call, limited by `BuildOptions.jobs`.
    public static let network = "network"
    /// Derive steps, limited by `BuildOptions.localJobs`.
    public static let local = "local"
    /// One provider's calls, limited by its `max_in_flight`.
    public static func provider(_ name: String) -> String { "provider:\(name)" }
}
