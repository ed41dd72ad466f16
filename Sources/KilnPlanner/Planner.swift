import Foundation
import KilnCore
import KilnManifest

/// Choices the command line makes about a plan.
public struct PlannerOptions: Sendable {
    /// The provider of steps that name none (`openai`, or `placeholder` when no API key is set).
    public var defaultProvider: String
    /// `--provider`: replaces every step's provider.
    public var providerOverride: String?
    /// The environment `{{env.NAME}}` reads (only names a manifest declares under `env:`).
    public var environment: [String: String]
    /// The absolute output directory, to refuse outputs that a symlink would carry outside it.
    public var outputDirectory: String?
    /// The SHA-256 of an input file by absolute path, nil when it cannot be read. Default: read
    /// and hash it; `kiln build` passes its stat cache so unchanged inputs are not re-read.
    public var fileDigest: @Sendable (String) -> String?
    /// An input image's digest and checked facts by absolute path. Default: read, check and hash
    /// it; `kiln build` passes its stat cache so unchanged inputs are not read again.
    public var inputFile: @Sendable (String) -> Result<(digest: String, facts: ImageFacts), ImageFileProblem>
        = { ImageFileCheck.inspectAndHash(path: $0) }
    /// The picks and re-roll salts kiln.lock records: which candidate a step uses, and the key of
    /// each candidate.
    public var choices = CandidateChoices()

    public init(defaultProvider: String = "openai", providerOverride: String? = nil,
                environment: [String: String] = [:], outputDirectory: String? = nil,
                fileDigest: @escaping @Sendable (String) -> String? = { try? Digest.sha256(fileAt: URL(fileURLWithPath: $0)) }) {
        self.fileDigest = fileDigest
        self.defaultProvider = defaultProvider
        self.providerOverride = providerOverride
        self.environment = environment
        self.outputDirectory = outputDirectory
    }
}

/// Turns validated manifests into a plan: concrete steps with dependencies, cache keys and
/// estimates, in a deterministic topological order, restricted to the requested targets.
public enum Planner {
    /// Plans every step of `manifests` (sorted by path), then keeps the steps `targets` select and
    /// everything they depend on. Throws every planning error at once.
    public static func plan(_ manifests: [PipelineManifest], targets: [String] = [],
                            options: PlannerOptions = PlannerOptions()) throws(DiagnosticsError) -> Plan {
        var builder = PlanBuilder(manifests: manifests.sorted { $0.path < $1.path }, options: options)
        builder.buildAll()
        var plan = builder.finish()
        var diagnostics = builder.diagnostics
        if !targets.isEmpty {
            plan.steps = TargetSelector.select(targets, from: plan.steps, diagnostics: &diagnostics)
            if !plan.candidates.isEmpty {
                let kept = plan.index()
                plan.candidates = plan.candidates.filter { kept[$0.key] != nil }
            }
        }
        diagnostics += SecretLeakCheck.problems(in: plan, screen: SecretScreen(environment: options.environment))
        let collapsed = collapse(diagnostics)
        if collapsed.hasErrors { throw DiagnosticsError(collapsed) }
        plan.warnings = collapsed
        return plan
    }

    /// The ids of the planned steps that `targets` name (same forms as build targets), without
    /// their dependencies: what `kiln build --force TARGET…` re-rolls and `kiln adopt TARGET…`
    /// records. A target matching no step is an error (with the closest name, when one is near).
    public static func steps(matching targets: [String], in plan: Plan) throws(DiagnosticsError) -> Set<StepID> {
        var chosen = Set<StepID>()
        var diagnostics = [Diagnostic]()
        for target in targets {
            let matched = TargetSelector.indices(matching: target, in: plan.steps)
            if matched.isEmpty {
                diagnostics.append(TargetSelector.noMatch(target, in: plan.steps))
            }
            chosen.formUnion(matched.map { plan.steps[$0].id })
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        return chosen
    }

    /// Every step id a target names, merged aliases included (a candidate merged into its step is
    /// still found by its own id), in plan order; empty when it names none.
    public static func ids(matching target: String, in plan: Plan) -> [StepID] {
        plan.steps.flatMap { [$0.id] + $0.aliases }.filter { TargetSelector.matches(target, $0) }
    }

    /// One diagnostic per message and place: a mistake in a template repeats for every variant.
    static func collapse(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        var perLocation = [SourceLocation: Int]()
        var hidden = [SourceLocation: Int]()
        var out = [Diagnostic]()
        for d in diagnostics where seen.insert(d).inserted {
            if let location = d.location {
                perLocation[location, default: 0] += 1
                if perLocation[location]! > 3 { hidden[location, default: 0] += 1; continue }
            }
            out.append(d)
        }
        for (location, count) in hidden.sorted(by: { $0.key.description < $1.key.description }) {
            out.append(.error("… and \(count) more like this", at: location))
        }
        return out.sortedBySource()
    }
}
