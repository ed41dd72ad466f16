import ArgumentParser
import Foundation
import KilnCore
import KilnEngine
import Logging

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the planned images: run steps concurrently, cache every result, write outputs/.",
        discussion: """
        Without OPENAI_API_KEY (or with --provider placeholder) images are rendered offline.
        Ctrl-C once stops starting steps and lets the running ones finish; twice cancels them.
        Exit status: 0 built, 1 a step failed, 2 invalid manifest or arguments.

        Examples:
          kiln build                                  # every pipeline in pipelines/
          kiln build hero stickers/corgi-pack@cat-happy
          kiln build -k --jobs 16                     # keep going past failures
          kiln build --json > events.jsonl            # JSON Lines for CI tooling
        """)

    @OptionGroup var selection: SelectionArguments

    @Option(name: .shortAndLong, help: "Provider calls in flight at once (default 8).")
    var jobs: Int = 8

    @Flag(name: [.customShort("k"), .long], help: "Keep going: run everything not downstream of a failure.")
    var keepGoing = false

    @Option(help: "Where to write files (default outputs/).")
    var out: String = "outputs"

    @Option(help: "Where to write the output manifest (default <out>/manifest.json).")
    var manifest: String?

    @Option(help: "The result cache (default .kiln/cache).")
    var cacheDir: String = ".kiln/cache"

    @Flag(help: "Print JSON Lines events on stdout (human output goes to stderr).")
    var json = false

    @Flag(name: .shortAndLong, help: "Log what each step does.")
    var verbose = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() async throws {
        let outcome = Frontend().plan(selection.items, provider: selection.provider,
                                      outputDirectory: URL(fileURLWithPath: out))
        outcome.notices.forEach(Console.err)
        Console.report(outcome.diagnostics)
        guard let plan = outcome.plan else {
            Console.err(Frontend.summary(outcome.diagnostics, manifests: outcome.manifests.count))
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
        var logger = Logger(label: "kiln") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        let options = BuildOptions(outputDirectory: URL(fileURLWithPath: out), manifestPath: manifest.map(URL.init(fileURLWithPath:)),
                                   jobs: jobs, keepGoing: keepGoing, prices: Frontend.prices(outcome.manifests))
        let mode: TerminalProgress.Mode = json ? .jsonLines : (Console.stderrIsTerminal ? .live : .plain)
        let runner = BuildRunner(options: options, cacheDirectory: URL(fileURLWithPath: cacheDir),
                                 progress: mode, logger: logger)
        let summary: BuildSummary
        do {
            summary = try await runner.run(plan)
        } catch {
            Console.err("error: \(error)")
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
        let table = SummaryTableRenderer().render(summary)
        if json { Console.err(table) } else { Console.out(table) }
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}
