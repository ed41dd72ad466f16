import Foundation
import KilnCore
import KilnManifest

/// Builds every concrete step by walking each step's inputs first (depth-first, in declaration
/// order), so the result is a deterministic topological order and upstream keys are known when a
/// step's own key is computed.
struct PlanBuilder {
    let manifests: [PipelineManifest]
    let options: PlannerOptions
    var diagnostics = [Diagnostic]()

    /// A step instance: which manifest, asset, variant and definition, plus the size of a `sizes:` derive.
    struct Instance {
        var manifest: Int
        var assetIndex: Int
        var asset: Asset
        var variant: Variant
        var definitionIndex: Int
        var definition: StepDefinition
        var size: Int?
        /// Position of `size` in the definition's `sizes` (0 without sizes); a candidate's number
        /// (a generate step has no sizes, so the two never meet).
        var sizeIndex = 0
        /// Which candidate of a step with `candidates:` this is (`main~2`); nil for the step itself.
        var candidate: Int?

        /// Keys per-definition and per-variant caches without building strings.
        var definitionKey: [Int] { [manifest, assetIndex, definitionIndex] }
        var variantKey: [Int] { [manifest, assetIndex, variant.index] }
        /// One integer per instance (manifest 12 bits, asset 12, variant 14, definition 10, size 8):
        /// cheaper to hash than a step id, and the planner hashes it several times per step.
        var key: Int {
            (((manifest * 4096 + assetIndex) * 16384 + variant.index) * 1024 + definitionIndex) * 256 + sizeIndex
        }

        /// The name `{{step}}` renders: a candidate's is its step's, so its prompt is the step's too.
        var templateName: String { definition.name.value + (size.map { "-\($0)" } ?? "") }
        var name: String { templateName + (candidate.map { "\(StepID.candidateMark)\($0)" } ?? "") }
    }

    var steps = [PlannedStep]()
    /// Any step instance (canonical or merged alias), by `Instance.key` → index into `steps`.
    var indexByInstance = [Int: Int]()
    var indexByKey = [String: Int]()
    /// Ids that failed to plan; references to them fail quietly (their own error is reported once).
    var failed = Set<Int>()
    var visiting = Set<Int>()
    var variants = [String: [Variant]]()
    var variantLookup = [String: [String: Variant]]()
    var files = [String: Result<InputFile, ImageFileProblem>]()
    var outputOwners = [String: (StepID, SourceLocation?)]()
    /// Output paths by their lower-cased form, to warn about two that differ only in case.
    var foldedOutputs = [String: String]()
    var contexts = [[Int]: DefinitionContext]()
    var safeDirectories = Set<String>()
    /// Output folders (relative, as written) found safe: every component a real folder inside the
    /// output directory, or not there yet.
    var safeOutputFolders = Set<Substring>()
    /// Input paths by their text, parsed and looked at once (a matrix of 10,000 reads one path).
    var inputPaths = [String: InputPath]()
    /// Each manifest's folder as shown in paths and errors, by manifest index.
    var displayDirectories = [Int: String]()
    var deriveFragments = [[Int]: (DeriveOperations, String)]()
    var baseValues = [[Int]: [String: String]]()
    var prices = PriceTable.builtin
    var providers = [String: ProviderSettings]()
    var defaultProviderSteps = Set<StepID>()
    /// Sizes known before the build (see `recordPlannedSize`), by step.
    var plannedSizes = [StepID: (width: Int, height: Int)]()
    var openAIEquivalentUSD = [StepID: Double]()
    /// Steps with candidates, by the step's id (see `Plan.candidates`).
    var candidateSets = [StepID: CandidateSet]()

    init(manifests: [PipelineManifest], options: PlannerOptions) {
        self.manifests = manifests
        self.options = options
    }

    mutating func buildAll() {
        for manifest in manifests {
            prices = prices.merging(manifest.prices)
            for (name, written) in manifest.providers {
                let settings = renderConnection(written, of: manifest)
                if let existing = providers[name], existing != settings {
                    diagnostics.append(.warning("provider '\(name)' is configured differently in several manifests; using the first (\(manifests.first { $0.providers[name] != nil }?.path ?? ""))",
                                                at: manifest.location))
                } else {
                    providers[name] = settings
                }
            }
            for asset in manifest.assets {
                let list = VariantExpansion.variants(of: asset, diagnostics: &diagnostics)
                let key = assetKey(manifest.pipeline, asset.name.value)
                variants[key] = list
                var lookup = [String: Variant]()
                for v in list { lookup[lookupKey(v.values)] = v }
                variantLookup[key] = lookup
            }
        }
        guard withinLimits() else { return }
        reserve()
        for (m, manifest) in manifests.enumerated() {
            for (a, asset) in manifest.assets.enumerated() {
                for variant in variants[assetKey(manifest.pipeline, asset.name.value)] ?? [] {
                    for (d, definition) in asset.steps.enumerated() {
                        let sizes = definition.sizes.isEmpty ? [nil] : definition.sizes.map { Optional($0.value) }
                        for (i, size) in sizes.enumerated() {
                            _ = build(Instance(manifest: m, assetIndex: a, asset: asset, variant: variant,
                                               definitionIndex: d, definition: definition, size: size, sizeIndex: i))
                        }
                        // After the step itself, so it stays the canonical id when the candidate
                        // in use merges into it (same key).
                        for number in Self.candidateNumbers(definition) {
                            _ = build(Instance(manifest: m, assetIndex: a, asset: asset, variant: variant, definitionIndex: d,
                                               definition: definition, sizeIndex: number, candidate: number))
                        }
                    }
                }
            }
        }
    }

    /// The bounds `Instance.key` packs into one integer; far beyond any real manifest.
    mutating func withinLimits() -> Bool {
        let before = diagnostics.count
        if manifests.count >= 4096 { diagnostics.append(.error("more than 4,095 manifests in one build", at: nil)) }
        for manifest in manifests {
            if manifest.assets.count >= 4096 {
                diagnostics.append(.error("more than 4,095 assets in one manifest: split it", at: manifest.location))
            }
            for asset in manifest.assets {
                if asset.steps.count >= 1024 {
                    diagnostics.append(.error("asset '\(asset.name.value)' has more than 1,023 steps: split it", at: asset.name.location))
                }
                for step in asset.steps where step.sizes.count >= 256 {
                    diagnostics.append(.error("more than 255 sizes in one step", at: step.name.location))
                }
            }
        }
        return diagnostics.count == before
    }

    /// Sizes the tables for every instance up front: growing them step by step cost more than
    /// the planning itself.
    mutating func reserve() {
        var instances = 0
        for manifest in manifests {
            for asset in manifest.assets {
                let perVariant = asset.steps.reduce(0) { $0 + max(1, $1.sizes.count) + (Self.candidateCount($1) ?? 0) }
                instances += perVariant * (variants[assetKey(manifest.pipeline, asset.name.value)]?.count ?? 0)
            }
        }
        steps.reserveCapacity(instances)
        indexByInstance.reserveCapacity(instances)
        indexByKey.reserveCapacity(instances)
        outputOwners.reserveCapacity(instances)
        foldedOutputs.reserveCapacity(instances)
        baseValues.reserveCapacity(instances)
        plannedSizes.reserveCapacity(instances)
        openAIEquivalentUSD.reserveCapacity(instances)
        defaultProviderSteps.reserveCapacity(instances)
    }

    func finish() -> Plan {
        var plan = Plan(steps: steps, providers: providers)
        plan.defaultProviderSteps = defaultProviderSteps
        plan.openAIEquivalentUSD = openAIEquivalentUSD
        plan.candidates = candidateSets
        return plan
    }

    func assetKey(_ pipeline: String, _ asset: String) -> String { pipeline + "/" + asset }

    func lookupKey(_ values: [(axis: String, value: String)]) -> String {
        values.map { "\($0.axis)=\($0.value)" }.joined(separator: "\u{1}")
    }

    func stepID(_ instance: Instance) -> StepID {
        StepID(pipeline: manifests[instance.manifest].pipeline, asset: instance.asset.name.value,
               variant: instance.variant.id, step: instance.name)
    }

    /// Plans one step instance (and, first, everything it reads). Returns the index in `steps` of
    /// the step other steps depend on — a merged duplicate's canonical step — or nil when it could
    /// not be planned.
    mutating func build(_ instance: Instance) -> Int? {
        let key = instance.key
        if let i = indexByInstance[key] { return i }
        if failed.contains(key) { return nil }
        if visiting.contains(key) {
            diagnostics.append(.error("dependency cycle through \(stepID(instance))", at: instance.definition.name.location))
            return nil
        }
        visiting.insert(key)
        defer { visiting.remove(key) }
        let id = stepID(instance)
        guard let step = makeStep(instance, id: id) else {
            failed.insert(key)
            return nil
        }
        if let existing = indexByKey[step.cacheKey] {
            // Identical work: plan it once, write every output.
            steps[existing].aliases.append(id)
            steps[existing].outputs += step.outputs
            indexByInstance[key] = existing
            return existing
        }
        indexByKey[step.cacheKey] = steps.count
        indexByInstance[key] = steps.count
        steps.append(step)
        return steps.count - 1
    }
}
