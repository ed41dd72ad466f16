import KilnCore

/// The semantic checks that need the whole decoded manifest: templates, references and cycles,
/// input files, outputs, presets and the model rules. Collects every problem.
struct ManifestValidator {
    let manifest: PipelineManifest
    /// Where single-line template text starts (see `ManifestDecoder.textColumns`).
    let textColumns: [SourceLocation: Int]
    /// How messages name the manifest's directory (`pipelines/`).
    let displayDirectory: String
    var diagnostics: [Diagnostic] = []
    /// Dependencies between steps (`asset/step`), with where each was written.
    var edges: [String: [(target: String, location: SourceLocation)]] = [:]
    /// The `{{env.NAME}}` names templates read, to warn about declared names nothing reads.
    var usedEnvironment = Set<String>()

    init(manifest: PipelineManifest, textColumns: [SourceLocation: Int], displayDirectory: String) {
        self.manifest = manifest
        self.textColumns = textColumns
        self.displayDirectory = displayDirectory
    }

    mutating func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(.error(message, at: location))
    }

    mutating func run() {
        for asset in manifest.assets {
            checkPreset(asset)
            checkFinal(asset)
            for (index, step) in asset.steps.enumerated() {
                let parameters = manifest.effectiveParameters(for: step, in: asset)
                checkTemplates(step, in: asset, n: step.kind == .derive ? 1 : parameters.n ?? 1)
                checkOutput(step, parameters: parameters)
                checkInputs(step, at: index, in: asset)
                if step.kind != .derive { checkModel(step, in: asset, parameters: parameters) }
                checkCandidates(step, in: asset, parameters: parameters)
            }
        }
        checkCycles()
        let environment = Set(manifest.env.map { "env." + $0.value })
        for template in manifest.connectionTemplates { check(template, in: "a provider setting", names: environment) }
        checkEnvironment()
    }

    private mutating func checkPreset(_ asset: Asset) {
        guard let preset = asset.preset, manifest.preset(named: preset.value) == nil else { return }
        let known = Set(manifest.presets.keys).union(BuiltinPresets.all.keys).sorted()
        var message = "unknown preset '\(preset.value)'"
        if let best = Suggestions.closest(to: preset.value, in: known) { message += " (did you mean '\(best)'?)" }
        error(message + "; presets: " + known.joined(separator: ", "), at: preset.location)
    }

    private mutating func checkFinal(_ asset: Asset) {
        guard let final = asset.finalStep, asset.step(named: final.value) == nil else { return }
        var message = "'final' names no step of asset '\(asset.name.value)': '\(final.value)'"
        if let best = Suggestions.closest(to: final.value, in: asset.steps.map(\.name.value)) {
            message += " (did you mean '\(best)'?)"
        }
        error(message, at: final.location)
    }

    /// Generate/edit parameters under the model's rules, pointing at the level that set each key.
    private mutating func checkModel(_ step: StepDefinition, in asset: Asset, parameters: ParameterSet) {
        let ext = step.output.flatMap { Self.literalExtension($0.value) }
        let problems = ModelCatalog.check(model: parameters.model ?? ModelCatalog.defaultModel,
                                          provider: parameters.provider ?? "openai", kind: step.kind,
                                          parameters: parameters.resolved(outputExtension: ext))
        for problem in problems {
            let location = source(of: problem.key, for: step, in: asset) ?? step.name.location
            diagnostics.append(Diagnostic(problem.severity, problem.message, at: location))
        }
    }

    /// `candidates` makes one image per request and picks one, so a step cannot also ask for n > 1
    /// (which image would be "the" candidate?). Reported at `candidates`, naming where n was set.
    private mutating func checkCandidates(_ step: StepDefinition, in asset: Asset, parameters: ParameterSet) {
        guard let candidates = step.candidates, candidates.value > 1, let n = parameters.n, n > 1 else { return }
        let at = source(of: "n", for: step, in: asset).map { " (n is set at \($0))" } ?? ""
        error("'candidates' and n: \(n) cannot be combined: each candidate is one image; drop n or use candidates: 1\(at)",
              at: candidates.location)
    }

    /// Where the level that decides `key` for this step wrote it: step ← asset ← preset ← defaults.
    /// A built-in preset has no source, so its keys point at the asset's `preset:`.
    func source(of key: String, for step: StepDefinition, in asset: Asset) -> SourceLocation? {
        if let location = step.parameters.locations[key] ?? asset.parameters.locations[key] { return location }
        if let name = asset.preset, let preset = manifest.preset(named: name.value), preset.parameters.sets(key) {
            return preset.parameters.locations[key] ?? name.location
        }
        return manifest.defaults.locations[key]
    }
}

extension ParameterSet {
    /// Whether this level sets the parameter written as manifest key `key`.
    func sets(_ key: String) -> Bool {
        switch key {
        case "provider": provider != nil
        case "model": model != nil
        case "size": size != nil
        case "quality": quality != nil
        case "background": background != nil
        case "format": format != nil
        case "compression": compression != nil
        case "moderation": moderation != nil
        case "n": n != nil
        case "input_fidelity": inputFidelity != nil
        case "user": user != nil
        case "salt": salt != nil
        default: false
        }
    }
}
