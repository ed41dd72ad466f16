import Foundation
import KilnCore
import KilnManifest

/// Checks a request's fields against the server's rules and the model catalogue, and turns them
/// into an `ImageAsk`, or refuses with a 400 naming the field. Nothing here costs money.
struct ImageAskParser: Sendable {
    let rules: ServeConfig.Rules
    let provider: String

    /// The two spellings a request can use: Kiln's API (`format`, `compression`) and OpenAI's
    /// wire names (`output_format`, `output_compression`) on the gateway.
    enum Dialect: Sendable { case kiln, openAI }

    static func fieldNames(_ dialect: Dialect, kind: StepKind) -> Set<String> {
        var names: Set<String> = ["prompt", "model", "n", "size", "quality", "background", "moderation", "user"]
        switch dialect {
        case .kiln: names.formUnion(["format", "compression"])
        case .openAI: names.formUnion(["output_format", "output_compression", "stream", "partial_images", "response_format"])
        }
        if kind == .edit {
            names.formUnion(["input_fidelity"])
            names.remove("moderation")   // the multipart edit form has no moderation field (CONTRACT.md)
        }
        return names
    }

    func parse(_ fields: RawFields, kind: StepKind, dialect: Dialect) throws(ServeError) -> ImageAsk {
        let known = Self.fieldNames(dialect, kind: kind)
        for (name, _) in fields.values where !known.contains(name) { throw ServeError.unknownParameter(name) }
        let formatName = dialect == .kiln ? "format" : "output_format"
        let compressionName = dialect == .kiln ? "compression" : "output_compression"
        if dialect == .openAI {
            // GPT image models always answer base64; the service refuses response_format for them.
            if fields["response_format"] != nil { throw ServeError.unknownParameter("response_format") }
            if try fields.bool("stream") == true {
                throw ServeError.invalid("stream", "Streaming is not supported by this server: leave 'stream' out or false.",
                                         code: "unsupported_value")
            }
            if let partial = try fields.int("partial_images"), partial != 0 {
                throw ServeError.invalid("partial_images", "'partial_images' needs streaming, which this server does not offer.",
                                         code: "unsupported_value")
            }
        }
        let prompt = try checkedPrompt(fields.string("prompt"))
        let model = try fields.string("model") ?? ModelCatalog.defaultModel
        try allow(model, in: rules.models, "model")
        var parameters = ImageParameters()
        if let size = try fields.string("size") {
            guard let spec = SizeSpec(size) else { throw ServeError.invalid("size", "'size' must be WIDTHxHEIGHT (like 1024x1024) or auto, not '\(size)'.") }
            try allow(spec.description, in: rules.sizes, "size")
            parameters.size = spec
        }
        parameters.quality = try choice(fields, "quality", RenderQuality.self, allowed: rules.qualities)
        parameters.background = try choice(fields, "background", BackgroundMode.self, allowed: rules.backgrounds)
        parameters.format = try choice(fields, formatName, ImageFormat.self, allowed: rules.formats) ?? .png
        parameters.compression = try fields.int(compressionName)
        parameters.moderation = try choice(fields, "moderation", Moderation.self, allowed: [])
        parameters.inputFidelity = try choice(fields, "input_fidelity", InputFidelity.self, allowed: [])
        parameters.user = try fields.string("user")
        let n = try fields.int("n") ?? 1
        guard (1...rules.maxN).contains(n) else {
            throw ServeError.invalid("n", "'n' must be 1–\(rules.maxN) on this server, not \(n).")
        }
        parameters.n = n
        for problem in ModelCatalog.check(model: model, provider: provider == "placeholder" ? "openai" : provider,
                                          kind: kind, parameters: parameters) where problem.severity == .error {
            throw ServeError.invalid(wireName(problem.key, dialect: dialect), problem.message)
        }
        return ImageAsk(kind: kind, model: model, prompt: prompt, parameters: parameters)
    }

    private func checkedPrompt(_ given: String?) throws(ServeError) -> String {
        guard let given else { throw ServeError.invalid("prompt", "'prompt' is required.", code: "missing_required_parameter") }
        let prompt = Prompt.normalizeWhitespace(given)
        if PromptRules.isBlank(prompt) { throw ServeError.invalid("prompt", "'prompt' is empty.") }
        if let problem = PromptRules.controlProblem(prompt) { throw ServeError.invalid("prompt", "'prompt' \(problem).") }
        // Counted as Kiln counts everywhere (manifests, the planner): Unicode code points, not the
        // grapheme clusters a string's `count` gives (8 clusters can hold 40,000 code points).
        let length = prompt.unicodeScalars.count
        guard length <= rules.maxPromptLength else {
            throw ServeError.invalid("prompt", "'prompt' is \(length) characters (Unicode code points); this server takes at most \(rules.maxPromptLength).",
                                     code: "string_above_max_length")
        }
        let folded = Self.folded(prompt)
        // The refusal names the term: the person can rephrase, and the list is policy, not a secret.
        if let term = rules.foldedBlockedTerms.first(where: { folded.contains($0.folded) })?.term {
            throw ServeError(status: 400, "'prompt' contains the blocked term '\(term)'; this server refuses it.",
                             param: "prompt", code: "blocked_term", outcome: "refused:blocked_term")
        }
        return prompt
    }

    /// Text as the blocked-term check compares it: compatibility forms folded (NFKC: fullwidth
    /// `ｎｓｆｗ` is `nsfw`), invisible characters dropped (zero-width space, soft hyphen and every
    /// other default-ignorable or format character), case folded. A best-effort filter: the model
    /// reads the same meaning either way, so these tricks should not pass it.
    static func folded(_ text: String) -> String {
        var kept = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCompatibilityMapping.unicodeScalars {
            let properties = scalar.properties
            if properties.isDefaultIgnorableCodePoint || properties.generalCategory == .format { continue }
            kept.append(scalar)
        }
        return String(kept).lowercased()
    }

    private func allow(_ value: String, in allowed: [String], _ field: String) throws(ServeError) {
        guard !allowed.isEmpty, !allowed.contains(value) else { return }
        throw ServeError.invalid(field, "'\(field)' '\(value)' is not allowed on this server (allowed: \(allowed.joined(separator: ", "))).",
                                 code: "not_allowed")
    }

    private func choice<T: RawRepresentable & CaseIterable>(_ fields: RawFields, _ name: String, _ type: T.Type,
                                                            allowed: [String]) throws(ServeError) -> T? where T.RawValue == String {
        guard let text = try fields.string(name) else { return nil }
        guard let value = T(rawValue: text.lowercased()) ?? (text.lowercased() == "jpg" ? T(rawValue: "jpeg") : nil) else {
            let all = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ServeError.invalid(name, "'\(name)' must be one of \(all), not '\(text)'.")
        }
        try allow(value.rawValue, in: allowed, name)
        return value
    }

    private func wireName(_ key: String, dialect: Dialect) -> String {
        switch (key, dialect) {
        case ("format", .openAI): "output_format"
        case ("compression", .openAI): "output_compression"
        default: key
        }
    }
}
