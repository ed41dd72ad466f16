import ArgumentParser
import Foundation

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the planned images: run steps concurrently, cache every result, write outputs/.",
        discussion: """
        Without OPENAI_API_KEY (or with --provider placeholder) images are rendered offline. A step whose cache key and files are unchanged since the last build does not run; a cache hit costs nothing. Every build records each step's key and output digests in kiln.lock (commit it with outputs/). Ctrl-C once stops starting steps and lets the running ones finish; twice cancels them. Exit status: 0 built, 1 a step failed or the build was interrupted, 2 invalid manifest or arguments, 3 refused by --max-cost or --locked.

        Examples:
          kiln build                                  # every pipeline in pipelines/
          kiln build hero stickers/corgi-pack@cat-happy
          kiln build -k --jobs 16                     # keep going past failures
          kiln build --json > events.jsonl            # JSON Lines for CI tooling
          kiln build --force 'stickers/corgi-pack@*'  # re-roll: pay for new images
          kiln build --locked                         # CI: no key, no calls
        """)

    @OptionGroup var selection: SelectionArguments

    @Option(name: .shortAndLong, help: "Provider calls in flight at once (default 8).")
    var jobs: Int = 8

    @Flag(name: [.customShort("k"), .long], help: "Keep going: run everything not downstream of a failure.")
    var keepGoing = false

    @OptionGroup var project: ProjectArguments

    @Option(help: "Where to write the output manifest (default <out>/manifest.json).")
    var manifest: String?

    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Run these targets again whatever the cache holds (a re-roll), and the steps that read them; the new answers replace the cached ones.", valueName: "target"))
    var force: [String] = []

    @Flag(help: "Never call a provider: every step must match kiln.lock from the cache or the committed outputs; otherwise exit 3 and list each stale step and why.")
    var locked = false

    @Option(help: "Refuse to start when the plan is estimated above this many US dollars; stop starting steps once the spend reaches it (exit 3).")
    var maxCost: Double?

    @Option(help: "Retries per provider request (default 4).")
    var retries: Int?

    @Option(help: "OpenAI request starts per minute per model (overrides the manifest's requests_per_minute).")
    var rpm: Int?

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
    }

    func run() async throws {
        var session = BuildSession(items: selection.items, provider: selection.provider)
        (session.jobs, session.keepGoing, session.outputDirectory, session.manifestPath) = (jobs, keepGoing, project.out, manifest)
        (session.cacheDirectory, session.maxCostUSD, session.retries, session.requestsPerMinute) = (project.cacheDir, maxCost, retries, rpm)
        (session.json, session.verbose, session.force, session.locked) = (json, verbose, force, locked)
        let status = await session.run()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
