import Foundation
import KilnCore
import KilnManifest

/// An input file the plan reads: its digest and what it is.
struct InputFile {
    var digest: String
    var facts: ImageFacts
}

/// An image source resolved for one step.
struct ResolvedInput {
    var input: StepInput
    var format: ImageFormat?
    /// Facts of a file input (nil for a reference: that image is made during the build).
    var facts: ImageFacts?
    /// How messages name it: the path as written (or rendered, when no environment is involved).
    var shown: String
    /// A reference's step, as an index into the plan's steps.
    var stepIndex: Int? = nil
}

/// An input path as written, looked at once per plan rather than once per variant.
struct InputPath {
    /// Its template, when it holds `{{` (nil also when it cannot be parsed: it stays literal).
    var template: Template?
    /// Whether it reads the environment: it is then shown as written, never rendered.
    var readsEnvironment: Bool

    init(_ written: String) {
        // Foundation's `contains` (as before), once per path: per variant it was a tenth of planning.
        template = written.contains("{{") ? try? Template(parsing: written) : nil
        readsEnvironment = written.contains("{{env.")
    }
}

extension PlanBuilder {
    /// Resolves an image source to a planned input (planning a referenced step first) and the
    /// format it will have. Reports the problem and returns nil when it cannot.
    /// A file path may hold `{{name}}` templates (`inputs/{{animal}}.png`), rendered with `values`.
    mutating func resolveInput(_ source: Located<ImageSource>, instance: Instance, values: TemplateScope,
                               keys: inout [StepID: String]) -> ResolvedInput? {
        switch source.value {
        case let .file(written): resolveFile(written, at: source.location, instance: instance, values: values)
        case .reference: resolveReference(source, instance: instance, keys: &keys)
        }
    }

    /// A file input: its path rendered and checked, its bytes hashed and checked (once per plan).
    mutating func resolveFile(_ written: String, at location: SourceLocation, instance: Instance,
                              values: TemplateScope) -> ResolvedInput? {
        let manifest = manifests[instance.manifest]
        // The validator checked the template's names; one it could not parse stays literal.
        let info: InputPath
        if let known = inputPaths[written] {
            info = known
        } else {
            info = InputPath(written)
            inputPaths[written] = info
        }
        let path = info.template?.render { values[$0] } ?? written
        // A path rendered from the environment is shown as written: values never reach messages.
        let shown = info.readsEnvironment ? written : PathRules.visible(path)
        if PathRules.characterProblem(path) != nil {
            diagnostics.append(.error("input '\(shown)' \(PathRules.characterProblem(path) ?? "")", at: location))
            return nil
        }
        let absolute = manifest.directory.hasSuffix("/") ? manifest.directory + path : manifest.directory + "/" + path
        let file: InputFile
        switch fileInfo(absolute) {
        case let .success(found): file = found
        case let .failure(problem):
            let message = problem.missing
                ? "no such file '\(shown)' (relative to \(displayDirectory(manifest)))"
                : "input '\(shown)' \(problem.message)"
            diagnostics.append(.error(message, at: location))
            return nil
        }
        if displayDirectories[instance.manifest] == nil {
            displayDirectories[instance.manifest] = displayDirectory(manifest)
        }
        let folder = displayDirectories[instance.manifest] ?? "."
        let display = normalize(folder == "." ? path : folder + "/" + path)
        return ResolvedInput(input: .file(path: display, digest: file.digest), format: file.facts.format,
                             facts: file.facts, shown: shown)
    }

    /// A reference to another step (`@step`, `@asset.step`): that step planned first, for the
    /// matching variant; it must make exactly one image.
    mutating func resolveReference(_ source: Located<ImageSource>, instance: Instance,
                                   keys: inout [StepID: String]) -> ResolvedInput? {
        let manifest = manifests[instance.manifest]
        switch manifest.resolve(source.value, from: instance.asset) {
        case let .failure(message):
            diagnostics.append(.error(message, at: source.location))
            return nil
        case let .step(assetName, stepName):
            guard let assetIndex = manifest.assets.firstIndex(where: { $0.name.value == assetName }),
                  let definitionIndex = manifest.assets[assetIndex].steps.firstIndex(where: { $0.name.value == stepName })
            else { return nil }
            let target = manifest.assets[assetIndex]
            let definition = target.steps[definitionIndex]
            if !definition.sizes.isEmpty {
                diagnostics.append(.error("'\(source.value)' makes one image per size; reference the step it derives from instead",
                                          at: source.location))
                return nil
            }
            guard let variant = variant(of: target, for: instance, at: source) else { return nil }
            let upstream = Instance(manifest: instance.manifest, assetIndex: assetIndex, asset: target,
                                    variant: variant, definitionIndex: definitionIndex, definition: definition,
                                    size: nil)
            guard let index = build(upstream) else { return nil }
            let id = steps[index].id
            if (steps[index].parameters?.n ?? 1) > 1 {
                diagnostics.append(.error("'\(source.value)' makes \(steps[index].parameters?.n ?? 1) images (n > 1); a reference needs exactly one",
                                          at: source.location))
                return nil
            }
            keys[id] = steps[index].cacheKey
            return ResolvedInput(input: .step(id), format: steps[index].format, facts: nil, shown: "\(source.value)",
                                 stepIndex: index)
        }
    }

    /// The variant of `target` a reference from `instance` means: the same variant within an asset;
    /// the only one of an asset without a matrix; else the variant with the same values on the
    /// target's axes, which must all be axes of the referring asset.
    mutating func variant(of target: Asset, for instance: Instance, at source: Located<ImageSource>) -> Variant? {
        if target.name.value == instance.asset.name.value { return instance.variant }
        let key = assetKey(manifests[instance.manifest].pipeline, target.name.value)
        let list = variants[key] ?? []
        guard let axes = target.matrix?.axes.map(\.name.value), !axes.isEmpty else { return list.first }
        let mine = instance.variant.dictionary
        let missing = axes.filter { mine[$0] == nil }
        guard missing.isEmpty else {
            diagnostics.append(.error("'\(source.value)' is ambiguous: asset '\(target.name.value)' has a variant for each \(missing.joined(separator: ", ")), which asset '\(instance.asset.name.value)' does not fix; give '\(instance.asset.name.value)' the same matrix axes",
                                      at: source.location))
            return nil
        }
        let projected = axes.map { (axis: $0, value: mine[$0]!) }
        guard let found = variantLookup[key]?[lookupKey(projected)] else {
            let described = projected.map { "\($0.axis)=\($0.value)" }.joined(separator: ", ")
            diagnostics.append(.error("'\(source.value)' from variant \(instance.variant.id ?? "") needs the variant \(described) of asset '\(target.name.value)', which its matrix excludes",
                                      at: source.location))
            return nil
        }
        return found
    }

    /// Digest and checked facts of an input file, read once per plan.
    mutating func fileInfo(_ absolute: String) -> Result<InputFile, ImageFileProblem> {
        if let cached = files[absolute] { return cached }
        let result = options.inputFile(absolute).map { InputFile(digest: $0.digest, facts: $0.facts) }
        files[absolute] = result
        return result
    }

    func displayDirectory(_ manifest: PipelineManifest) -> String {
        let dir = (manifest.path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// Drops `.` and empty components and folds `dir/..`.
    func normalize(_ path: String) -> String {
        // Nothing to drop or fold (the common case): the path as it is, without splitting it.
        guard Self.needsFolding(path) else { return path }
        var parts = [Substring]()
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
