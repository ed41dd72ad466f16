import KilnCore

extension PipelineManifest {
    /// The preset an asset names: the manifest's own first, then the built-ins.
    public func preset(named name: String) -> Preset? {
        presets[name] ?? BuiltinPresets.all[name]
    }

    /// A step's parameters as written at every level: defaults ← preset ← asset ← step.
    public func effectiveParameters(for step: StepDefinition, in asset: Asset) -> ParameterSet {
        var result = defaults
        if let name = asset.preset?.value, let preset = preset(named: name) {
            result = result.overlaid(by: preset.parameters)
        }
        return result.overlaid(by: asset.parameters).overlaid(by: step.parameters)
    }

    /// What a reference written in `asset` points at.
    public enum ResolvedReference: Sendable, Hashable {
        case step(asset: String, step: String)
        /// Why not, as a message for the person (no location: the caller has it).
        case failure(String)
    }

    /// Resolves `@name` (a step of the same asset, else an asset's final step) or `@asset.step`.
    /// `@name` naming both a step here and another asset is ambiguous and an error.
    public func resolve(_ source: ImageSource, from asset: Asset) -> ResolvedReference {
        guard case let .reference(name, stepName) = source else {
            return .failure("'\(source)' is a file, not a reference")
        }
        if let stepName {
            guard let target = self.asset(named: name) else {
                return .failure("unknown asset '\(name)' in '\(source)'" + suggestion(name, assets.map(\.name.value)))
            }
            guard target.step(named: stepName) != nil else {
                return .failure("asset '\(name)' has no step '\(stepName)'"
                    + suggestion(stepName, target.steps.map(\.name.value)))
            }
            return .step(asset: name, step: stepName)
        }
        let localStep = asset.step(named: name)
        let otherAsset = self.asset(named: name).flatMap { $0.name.value == asset.name.value ? nil : $0 }
        switch (localStep, otherAsset) {
        case (_?, _?):
            return .failure("'@\(name)' is ambiguous: it names a step of '\(asset.name.value)' and an asset; write '@\(asset.name.value).\(name)' or '@\(name).<step>'")
        case (_?, nil):
            return .step(asset: asset.name.value, step: name)
        case let (nil, target?):
            guard let final = target.finalStepName else { return .failure("asset '\(name)' has no steps") }
            return .step(asset: name, step: final)
        case (nil, nil):
            let candidates = asset.steps.map(\.name.value) + assets.map(\.name.value)
            return .failure("unknown step or asset '\(name)' in '\(source)'" + suggestion(name, candidates))
        }
    }

    private func suggestion(_ name: String, _ candidates: [String]) -> String {
        guard let best = Suggestions.closest(to: name, in: candidates) else { return "" }
        return " (did you mean '\(best)'?)"
    }
}

/// "Did you mean" for names and keys.
public enum Suggestions {
    /// The candidate closest to `word` by edit distance, when close enough to be a likely typo.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let limit = max(1, min(3, word.count / 3))
        var best: (String, Int)?
        for candidate in candidates where candidate != word {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.1 ?? .max) { best = (candidate, d) }
        }
        return best?.0
    }

    /// Levenshtein distance.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

extension ParameterSet {
    /// The parameters to send, with `format` from this set, else `outputExtension`, else png.
    public func resolved(outputExtension: String? = nil) -> ImageParameters {
        ImageParameters(size: size, quality: quality, background: background,
                        format: format ?? outputExtension.flatMap(ImageFormat.init(pathExtension:)) ?? .png,
                        compression: compression, moderation: moderation, n: n ?? 1,
                        inputFidelity: inputFidelity, user: user)
    }
}
