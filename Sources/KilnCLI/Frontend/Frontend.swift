import Foundation
import KilnCore
import KilnLock
import KilnManifest
import KilnPlanner

/// Exit codes, the same for every command.
public enum ExitStatus: Int32, Sendable {
    /// Built (or valid).
    case success = 0
    /// At least one step failed.
    case buildFailed = 1
    /// Invalid manifest or arguments: nothing was run.
    case invalid = 2
    /// Refused by a policy (`--max-cost`, `--locked`).
    case refused = 3
}

/// What `validate`, `plan`, `graph` and `build` share: find manifests, load, validate, plan.
public struct Frontend: Sendable {
    public var workspace: Workspace

    public init(workspace: Workspace = Workspace()) {
        self.workspace = workspace
    }

    /// The outcome of reading manifests and planning: a plan, or the diagnostics that prevent one.
    public struct Outcome: Sendable {
        public var plan: Plan?
        public var manifests: [PipelineManifest]
        /// The targets among the arguments (empty: everything).
        public var targets: [String]
        /// Whether the plan covers less than every manifest in pipelines/ (targets, or manifests
        /// named on the command line): files and lock entries of the rest are kept.
        public var partial = false
        /// Every warning and error, sorted by source.
        public var diagnostics: [Diagnostic]
        public var notices: [String]
        /// How many manifest files were read (a file that failed to load counts too).
        public var files = 0
    }

    /// The provider steps get when the manifest names none: OpenAI with a key, else the offline
    /// placeholder renderer (with a notice saying so).
    public func defaultProvider() -> (name: String, notice: String?) {
        if let key = workspace.environment["OPENAI_API_KEY"], !key.isEmpty { return ("openai", nil) }
        return ("placeholder", "kiln: OPENAI_API_KEY is not set, so images are rendered offline by the placeholder provider; set OPENAI_API_KEY (or pass --provider openai) to use OpenAI")
    }

    /// Loads `arguments` (paths and targets) and plans them.
    /// - Parameters:
    ///   - fallbackProvider: the provider of steps that name none when no API key is set (the
    ///     lockfile's, for `--locked`); nil: the placeholder renderer, with a notice.
    ///   - fileDigest: how files are hashed (the stat cache, for a build).
    ///   - inputFile: how input images are checked and hashed (the stat cache, for a build).
    ///   - choices: kiln.lock's picks and re-roll salts, asked for only when a manifest has
    ///     candidates; nil: read from the workspace's kiln.lock (none when it cannot be read).
    public func plan(_ arguments: [String], provider: String? = nil, outputDirectory: URL? = nil,
                     fallbackProvider: String? = nil,
                     fileDigest: (@Sendable (String) -> String?)? = nil,
                     inputFile: (@Sendable (String) -> Result<(digest: String, facts: ImageFacts), ImageFileProblem>)? = nil,
                     choices: (@Sendable () -> CandidateChoices)? = nil) -> Outcome {
        let (paths, targets) = workspace.split(arguments)
        let found = workspace.manifestFiles(paths)
        let loaded = workspace.load(found.files)
        var diagnostics = found.diagnostics + loaded.diagnostics
        func outcome(_ plan: Plan?, notices: [String] = []) -> Outcome {
            var outcome = Outcome(plan: plan, manifests: loaded.manifests, targets: targets, diagnostics: diagnostics,
                                  notices: notices)
            outcome.partial = !targets.isEmpty || (!paths.isEmpty && found.files != workspace.manifestFiles([]).files)
            outcome.files = found.files.count
            return outcome
        }
        var fallback = defaultProvider()
        if let fallbackProvider, fallback.notice != nil { fallback = (fallbackProvider, nil) }
        var options = PlannerOptions(defaultProvider: fallback.name, providerOverride: provider,
                                     environment: workspace.environment,
                                     outputDirectory: (outputDirectory ?? workspace.url("outputs")).path)
        if let fileDigest { options.fileDigest = fileDigest }
        if let inputFile { options.inputFile = inputFile }
        if loaded.manifests.contains(where: \.hasCandidates) { options.choices = choices?() ?? lockedChoices() }
        guard !diagnostics.hasErrors else {
            // Every problem at once: the manifests that loaded cleanly are still planned, so what
            // only planning finds there (a bad input, a blank rendered prompt) is reported too.
            if !loaded.clean.isEmpty, case let .failure(error) = Result(catching: {
                try Planner.plan(loaded.clean, targets: [], options: options)
            }) {
                diagnostics += (error as? DiagnosticsError)?.diagnostics.errors ?? []
            }
            return outcome(nil)
        }
        do {
            let plan = try Planner.plan(loaded.manifests, targets: targets, options: options)
            diagnostics += plan.warnings
            // Said only when a step really is rendered offline because no key is set.
            let offline = fallback.name == ProviderNames.placeholder
                && plan.steps.contains { plan.defaultProviderSteps.contains($0.id) }
            return outcome(plan, notices: offline ? fallback.notice.map { [$0] } ?? [] : [])
        } catch {
            diagnostics += error.diagnostics
            return outcome(nil)
        }
    }

    /// The picks and re-roll salts of the workspace's kiln.lock; none when there is no lockfile or
    /// it cannot be read (a command that needs the lock reports that itself).
    func lockedChoices() -> CandidateChoices {
        let lock = try? LockFile.read(from: workspace.root.appendingPathComponent(LockFile.fileName))
        return lock?.choices ?? CandidateChoices()
    }

    /// The built-in prices with every manifest's `prices:` overrides.
    public static func prices(_ manifests: [PipelineManifest]) -> PriceTable {
        manifests.reduce(PriceTable.builtin) { $0.merging($1.prices) }
    }

    /// `N errors, M warnings in K manifests`.
    public static func summary(_ diagnostics: [Diagnostic], manifests: Int) -> String {
        let e = diagnostics.errors.count, w = diagnostics.warnings.count
        return "\(e) error\(e == 1 ? "" : "s"), \(w) warning\(w == 1 ? "" : "s") in \(manifests) manifest\(manifests == 1 ? "" : "s")"
    }
}
