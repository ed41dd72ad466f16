import Foundation
import KilnCore
import KilnEngine
import Logging

/// `kiln build` from arguments to exit status: plan, refuse or run, report.
public struct BuildSession: Sendable {
    public var items: [String]
    public var provider: String?
    public var jobs = 8
    public var keepGoing = false
    public var outputDirectory = "outputs"
    public var manifestPath: String?
    /// nil: `ResultCache.defaultDirectory` under the workspace (`.kiln/cache`).
    public var cacheDirectory: String?
    public var maxCostUSD: Double?
    public var retries: Int?
    /// `--rpm`: request starts per minute per model, for providers with a rate limiter (OpenAI).
    public var requestsPerMinute: Int?
    public var json = false
    public var verbose = false

    public init(items: [String], provider: String?) {
        self.items = items
        self.provider = provider
    }

    /// Runs the build and returns the exit status (see `ExitStatus`).
    public func run(frontend: Frontend = Frontend()) async -> ExitStatus {
        let outcome = frontend.plan(items, provider: provider, outputDirectory: URL(fileURLWithPath: outputDirectory))
        outcome.notices.forEach(Console.err)
        Console.report(outcome.diagnostics)
        guard let plan = outcome.plan else {
            Console.err(Frontend.summary(outcome.diagnostics, manifests: outcome.manifests.count))
            return .invalid
        }
        var logger = Logger(label: "kiln") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = verbose ? .debug : .warning
        let options = BuildOptions(outputDirectory: URL(fileURLWithPath: outputDirectory),
                                   manifestPath: manifestPath.map(URL.init(fileURLWithPath:)), jobs: jobs,
                                   keepGoing: keepGoing, prices: Frontend.prices(outcome.manifests),
                                   keepEarlierFiles: !outcome.targets.isEmpty)
        let mode: TerminalProgress.Mode = json ? .jsonLines : (Console.stderrIsTerminal ? .live : .plain)
        let cache = cacheDirectory.map { URL(fileURLWithPath: $0) }
            ?? ResultCache.defaultDirectory(projectRoot: frontend.workspace.root)
        let runner = BuildRunner(options: options, cacheDirectory: cache,
                                 progress: mode, logger: logger, environment: frontend.workspace.environment,
                                 retries: retries, requestsPerMinute: requestsPerMinute, maxCostUSD: maxCostUSD)
        let result: BuildRunner.Outcome
        do {
            result = try await runner.run(plan)
        } catch let refusal as PolicyRefusal {
            Console.err("error: \(refusal)")
            return .refused
        } catch {
            Console.err("error: \(error)")
            return .invalid
        }
        let table = SummaryTableRenderer().render(result.summary)
        if json { Console.err(table) } else { Console.out(table) }
        if result.summary.exitCode != 0 { return .buildFailed }
        return result.stoppedByBudget ? .refused : .success
    }
}
