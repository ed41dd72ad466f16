import ArgumentParser
import KilnCore
import KilnPlanner

/// The flags only `kiln build` takes: concurrency, failure policy, money, re-rolls and output.
struct BuildArguments: ParsableArguments {
    @Option(name: .shortAndLong, help: "Provider calls in flight at once (default 8).")
    var jobs: Int = 8

    @Flag(name: [.customShort("k"), .long], help: "Keep going: run everything not downstream of a failure.")
    var keepGoing = false

    @Option(help: "Where to write the output manifest (default <out>/manifest.json).")
    var manifest: String?

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Run these targets again whatever the cache holds (a re-roll), and the steps that read them; the new answers replace the cached ones.", valueName: "target"))
    var force: [String] = []

    @Flag(help: "Never call a provider: every step must match kiln.lock from the cache or the committed outputs; otherwise exit 3 and list each stale step and why.")
    var locked = false

    @Flag(help: "Do not write the gallery (outputs/index.html and its thumbnails under outputs/kiln-gallery/).")
    var noGallery = false

    @Option(help: "Refuse to start when the plan is estimated above this many US dollars, and start no step that would take the spend past it (exit 3).")
    var maxCost: Double?

    @Option(help: "Retries per provider request (default 4).")
    var retries: Int?

    @Option(help: "OpenAI request starts per minute per model (overrides the manifest's requests_per_minute).")
    var rpm: Int?

    @Flag(help: "Make each output a read-only hard link to the cache's copy of its image where the file system has no copy-on-write clones (ext4): each image is written once. A tool that then writes into an output in place changes the cached answer too.")
    var linkOutputs = false

    @Option(help: ArgumentHelp("Build part I of N (e.g. 2/3) for N CI machines sharing a remote cache: whole dependency chains, chosen by hashing cache keys; then `kiln build --cache-only` assembles.",
                               valueName: "I/N"))
    var shard: String?

    @Flag(help: "Make no provider call: every paid step must come from the local or remote cache (derives still run); exit 3 listing the steps no cache has.")
    var cacheOnly = false

    @Flag(help: "Send the OpenAI steps that are ready to OpenAI's Batch API (half price, results within 24 h) instead of calling it directly; run again to collect them and send the next wave (docs/batch.md).")
    var batch = false

    @Flag(help: "Call OpenAI directly for every step, also those the manifests mark `mode: batch` (an urgent run; a step already in a batch still waits for it).")
    var direct = false

    @Flag(help: "With --batch or steps marked `mode: batch`: poll until every batch is done and the build is complete, instead of exiting after submitting.")
    var wait = false

    @Flag(help: "Exit without waiting for uploads to the remote cache to finish (`kiln cache push` sends what is left).")
    var noWaitUpload = false

    @Flag(help: "Print JSON Lines events on stdout (human output goes to stderr).")
    var json = false

    @Flag(name: .shortAndLong, help: "Log what each step does.")
    var verbose = false

    func validate() throws {
        guard (1...1_000).contains(jobs) else { throw ValidationError("--jobs must be 1–1000, not \(jobs)") }
        if let maxCost, !maxCost.isFinite || maxCost < 0 {
            throw ValidationError("--max-cost must be a number of US dollars, 0 or more, not \(maxCost)")
        }
        if let retries, !(0...100).contains(retries) { throw ValidationError("--retries must be 0–100, not \(retries)") }
        if let rpm, !(1...1_000_000).contains(rpm) { throw ValidationError("--rpm must be 1–1000000, not \(rpm)") }
        if locked && !force.isEmpty { throw ValidationError("--locked and --force cannot be used together: a re-roll calls the provider") }
        if cacheOnly && !force.isEmpty { throw ValidationError("--cache-only and --force cannot be used together: a re-roll calls the provider") }
        if batch && direct { throw ValidationError("--batch and --direct cannot be used together: one sends every step in batches, the other none") }
        if wait && direct { throw ValidationError("--wait waits for batches; --direct sends none") }
        if (batch || wait) && (locked || cacheOnly) {
            throw ValidationError("--\(batch ? "batch" : "wait") goes with builds that send paid steps; --\(locked ? "locked" : "cache-only") makes no provider call")
        }
        if batch && !force.isEmpty { throw ValidationError("--batch and --force cannot be used together yet: re-roll with a direct build") }
        if let shard, shardSpec == nil {
            throw ValidationError("--shard must be I/N with 1 ≤ I ≤ N ≤ 1000 (e.g. --shard 2/3), not '\(shard)'")
        }
    }

    /// Whether this run sends `step` (an OpenAI step) in a batch: `--batch`, or `mode: batch` in
    /// its manifest unless `--direct`; never for a build that makes no provider call.
    func sendsInBatch(_ step: PlannedStep) -> Bool {
        guard !direct, !locked, !cacheOnly, step.kind.usesProvider, step.provider == "openai" else { return false }
        return batch || step.mode == .batch
    }

    /// `--shard`, parsed.
    var shardSpec: ShardSpec? { shard.flatMap(ShardSpec.init(parsing:)) }
}
