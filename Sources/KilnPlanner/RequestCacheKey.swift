import KilnCore

/// The cache key of one generate or edit request, as a manifest step with the same provider, model,
/// prompt, parameters and input files gets it: the one public door to `CacheKey` for callers that
/// have no manifest (`kiln serve`). The plan builder builds its keys from the same two pieces
/// (`requestFragment`, `inputs`), so the two cannot drift.
public enum RequestCacheKey {
    /// - Parameters:
    ///   - prompt: the prompt as sent (the planner's is rendered and whitespace-normalised).
    ///   - inputs: an edit's images by content (SHA-256), in order; empty for a generate.
    ///   - mask: an edit's mask by content, if any.
    ///   - salt: a step's `salt`, if any (a server request has none).
    public static func make(kind: StepKind, provider: String, model: String, parameters: ImageParameters,
                            prompt: String, inputDigests: [String] = [], maskDigest: String? = nil,
                            salt: String? = nil) -> String {
        var key = CacheKey(kind: kind)
        key.append(fragment: CacheKey.requestFragment(provider: provider, model: model, parameters: parameters))
        key.field("prompt", prompt)
        key.inputs(inputDigests.map { StepInput.file(path: "", digest: $0) },
                   mask: maskDigest.map { StepInput.file(path: "", digest: $0) }, keys: [:])
        key.field("salt", salt)
        return key.finalize()
    }
}

extension CacheKey {
    /// Provider, model and every keyed parameter: what a definition contributes to each variant's key.
    static func requestFragment(provider: String, model: String, parameters: ImageParameters) -> String {
        fragment { key in
            key.field("provider", provider)
            key.field("model", model)
            key.parameters(parameters)
        }
    }

    /// A step's inputs (`in0`, `in1`, …) and its mask, files by content and steps by key.
    mutating func inputs(_ inputs: [StepInput], mask: StepInput?, keys: [StepID: String]) {
        for (i, input) in inputs.enumerated() { self.input("in\(i)", input, keys: keys) }
        if let mask { input("mask", mask, keys: keys) }
    }
}
