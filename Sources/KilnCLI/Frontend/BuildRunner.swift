import Foundation
import KilnCore
import KilnEngine
import KilnImaging
import KilnManifest
import KilnOpenAI
import KilnPlaceholder
import KilnPlanner
import Logging
import KilnCache
import KilnLock

/// Runs a plan with the real components: libvips imaging, the providers, the on-disk cache, and
/// progress on the terminal; wires Ctrl-C (once: graceful stop; twice: cancel in-flight work).
public struct BuildRunner: Sendable {
    public var options: BuildOptions
    public var cacheDirectory: URL?
    /// The remote cache behind the local one, if any.
    public var remote: RemoteTier?
    public var progress: TerminalProgress.Mode
    public var logger: Logger
    public var environment: [String: String]
    /// `--retries`: retries per provider request (default: the provider's own, 4 for OpenAI).
    public var retries: Int?
    /// `--rpm`: overrides the manifest's `requests_per_minute` for OpenAI.
    public var requestsPerMinute: Int?

    public init(options: BuildOptions, cacheDirectory: URL?, progress: TerminalProgress.Mode, logger: Logger,
                environment: [String: String] = ProcessInfo.processInfo.environment, retries: Int? = nil,
                requestsPerMinute: Int? = nil) {
        self.options = options
        self.cacheDirectory = cacheDirectory
        self.progress = progress
        self.logger = logger
        self.environment = environment
        self.retries = retries
        self.requestsPerMinute = requestsPerMinute
    }

    /// The providers the plan uses, by name. OpenAI needs a key; asking for it without one is a
    /// setup error with the fix, raised before anything runs.
    func providers(for plan: Plan, terminal: TerminalProgress) throws -> [String: any ImageProvider] {
        var providers: [String: any ImageProvider] = ["placeholder": PlaceholderProvider()]
        let used = Set(plan.steps.compactMap(\.provider))
        if used.contains("openai") {
            var configuration = OpenAIConfiguration(environment: environment, settings: plan.providers["openai"],
                                                    kilnVersion: Kiln.version)
            if let problem = BaseURLRule.problem(configuration.baseURL) {
                let source = plan.providers["openai"]?.baseURL != nil ? "providers.openai.base_url" : "OPENAI_BASE_URL"
                throw SetupError(message: "\(source) must be an http:// or https:// URL like https://api.openai.com/v1, but it \(problem)")
            }
            guard configuration.apiKey?.isEmpty == false else {
                throw SetupError(message: "steps use the openai provider but OPENAI_API_KEY is not set: export OPENAI_API_KEY=…, or pass --provider placeholder to render offline")
            }
            if let retries { configuration.retries = retries }
            if let requestsPerMinute { configuration.requestsPerMinute = requestsPerMinute }
            configuration.callerConcurrency = options.jobs
            providers["openai"] = OpenAIProvider(configuration: configuration,
                                                 logger: logger, onRateLimitWait: { terminal.rateLimited($0.description) })
        }
        let missing = used.subtracting(providers.keys).sorted()
        guard missing.isEmpty else {
            throw SetupError(message: "no provider named \(missing.joined(separator: ", ")); available: \(providers.keys.sorted().joined(separator: ", "))")
        }
        return providers
    }

    /// Builds `plan`; the steps `upToDate` found current do not run. Throws `SetupError`
    /// (libvips missing, no key, unknown provider) or `PolicyRefusal` (`--max-cost` below the
    /// estimate of the steps that will run) before any step runs.
    /// - Parameter locked: `--locked`: no provider is called (the caller checked that the cache
    ///   and the files satisfy every step; a call would fail the step and stop the build).
    public func run(_ plan: Plan, upToDate: UpToDateCheck? = nil, locked: Bool = false) async throws -> BuildReport {
        let check = upToDate ?? UpToDateCheck(plan: plan)
        let estimate = check.stepsToRun(plan).compactMap(\.estimate).reduce(CostEstimate.zero, +).usd
        // `--max-cost` (`options.maxCostUSD`): refused here when the estimate is over; during the
        // build the scheduler starts no step that would take the spend past it.
        if let limit = options.maxCostUSD, estimate > limit {
            let money = { (usd: Double) in String(format: "$%.4f", usd) }
            throw PolicyRefusal(message: "the plan is estimated at \(money(estimate)), above --max-cost \(money(limit)): raise the limit or build fewer targets (`kiln plan` shows each step's estimate)")
        }
        // A build that changes nothing does no image work: libvips (and the modules it loads at
        // start) is not started.
        if !BuildEngine.changesNothing(plan, upToDate: check, options: options) { try VipsToolkit.initialize() }
        let terminal = TerminalProgress(mode: progress)
        let providers = locked ? LockedProvider.standIns(for: plan) : try providers(for: plan, terminal: terminal)
        var cache = cacheDirectory.map(ResultCache.init(directory:))
        cache?.remote = remote
        if let notice = cache?.oldFormatNotice() { Console.err("kiln: " + notice) }
        let engine = BuildEngine(plan: plan, providers: providers, toolkit: VipsToolkit(),
                                 cache: cache, options: options,
                                 logger: logger, progress: terminal, upToDate: check)
        let interrupts = InterruptHandler(
            first: {
                if Console.stderrIsTerminal { Console.errRaw("\r\u{1B}[2K") }   // clear the status line
                Console.err("kiln: stopping — steps in flight finish and are kept (Ctrl-C again to cancel them)")
                engine.requestStop()
            },
            second: {
                Console.err("kiln: cancelling steps in flight (answers already paid for stay in the cache)")
                engine.cancel()
            })
        defer { interrupts.remove() }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                terminal.tick()
            }
        }
        let report = await engine.run()
        ticker.cancel()
        if let openai = providers["openai"] as? OpenAIProvider {
            try? await openai.shutdown()   // the HTTP client must be shut down before it is dropped
        }
        return report
    }
}

/// A policy refused the build before it started (exit 3).
public struct PolicyRefusal: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// A problem found before any step ran.
public struct SetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
