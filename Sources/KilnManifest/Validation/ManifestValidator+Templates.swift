import KilnCore

extension ManifestValidator {
    static let builtins = ["pipeline", "asset", "variant", "step", "ext"]

    /// The names a template of `asset` may read, besides `size` and `index`.
    func scope(of asset: Asset) -> Set<String> {
        var names = Set(Self.builtins)
        names.formUnion(asset.matrix?.axes.map(\.name.value) ?? [])
        names.formUnion(asset.vars.map(\.name.value))
        names.formUnion(manifest.vars.map(\.name.value))
        names.formUnion(manifest.env.map { "env." + $0.value })
        return names
    }

    /// Prompts, input paths and the output of one step.
    mutating func checkTemplates(_ step: StepDefinition, in asset: Asset, n: Int) {
        let names = scope(of: asset)
        for part in step.prompt?.parts ?? [] { check(part, in: "the prompt", names: names) }
        for image in step.images { checkPath(image, names: names) }
        if let mask = step.mask { checkPath(mask, names: names) }
        if let from = step.from { checkPath(from, names: names) }
        guard let output = step.output else { return }
        var extra = Set<String>()
        if !step.sizes.isEmpty { extra.insert("size") }
        if n > 1 { extra.insert("index") }
        check(output, in: "the output", names: names.union(extra))
    }

    private mutating func checkPath(_ source: Located<ImageSource>, names: Set<String>) {
        if case let .file(path) = source.value, path.contains("{{") {
            check(Located(path, at: source.location), in: "the path", names: names)
        }
    }

    /// Syntax and undefined names, pointing at the name when the text is on one line.
    mutating func check(_ text: Located<String>, in what: String, names: Set<String>) {
        let template: Template
        do {
            template = try Template(parsing: text.value)
        } catch {
            self.error("bad template in \(what): \(error.message)", at: column(of: text, offset: error.offset))
            return
        }
        for case let .variable(name, offset) in template.segments {
            if name.hasPrefix("env.") { usedEnvironment.insert(String(name.dropFirst(4))) }
            let at = column(of: text, offset: offset)
            if name.hasPrefix("env."), let refusal = credentialRefusal(String(name.dropFirst(4))) {
                error("'{{\(name)}}' would put a credential into \(what): \(refusal)", at: at)
                continue
            }
            guard !names.contains(name) else { continue }
            if name.hasPrefix("env.") {
                error("'{{\(name)}}' reads an undeclared environment variable: declare it under 'env:'", at: at)
            } else if name == "size" {
                error("'{{size}}' is only defined in the output of a derive step with 'sizes:'", at: at)
            } else if name == "index" {
                error("'{{index}}' is only defined in the output of a step with n > 1", at: at)
            } else {
                var message = "undefined name '\(name)' in \(what)"
                if let best = Suggestions.closest(to: name, in: names.sorted()) { message += " (did you mean '\(best)'?)" }
                error(message, at: at)
            }
        }
    }

    /// The location of character `offset` of `text`, when its scalar sits on one line.
    func column(of text: Located<String>, offset: Int) -> SourceLocation {
        guard let start = textColumns[text.location] else { return text.location }
        var location = text.location
        location.column = start + offset
        return location
    }
}
