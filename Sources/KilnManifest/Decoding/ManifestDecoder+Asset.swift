import KilnCore
import Yams

extension ManifestDecoder {
    /// Decodes one asset, desugaring the shorthand (`prompt`, `images`, `mask`, `output`, `derive`,
    /// `sizes`) into ordinary steps.
    func asset(_ item: Entry) -> Asset? {
        let context = "asset '\(item.name)'"
        if !Self.isValidName(item.name) {
            error("asset name '\(item.name)' may use only letters, digits, '-' and '_'", at: item.location)
        }
        guard let entries = entries(item.value, ManifestKeys.asset, in: context) else { return nil }
        var asset = Asset(name: Located(item.name, at: item.location))
        var byName = [String: Entry]()
        for entry in entries {
            byName[entry.name] = entry
            switch entry.name {
            case "description": asset.description = string(entry)?.value
            case "preset": asset.preset = string(entry)
            case "vars": asset.vars = variables(entry)
            case "matrix": asset.matrix = matrix(entry, asset: item.name)
            case "final": asset.finalStep = string(entry)
            case "candidates": break   // belongs to the shorthand's step: placed below
            default: apply(entry, to: &asset.parameters)
            }
        }
        switch (byName["steps"], byName["prompt"]) {
        case let (steps?, prompt?):
            asset.steps = self.steps(steps, asset: item.name)
            error("\(context) has both 'prompt:' and 'steps:': use one (the 'prompt:' shorthand is a single step)",
                  at: prompt.location)
        case let (steps?, nil):
            asset.steps = self.steps(steps, asset: item.name)
            for key in ["images", "mask", "output", "derive"] {
                if let entry = byName[key] {
                    error("'\(key)' belongs to the 'prompt:' shorthand; with 'steps:', write it inside a step",
                          at: entry.location)
                }
            }
            if let entry = byName["candidates"] { misplaced(entry, .assetWithSteps) }
        case let (nil, prompt?):
            asset.steps = shorthandSteps(prompt, byName, asset: asset)
        case (nil, nil):
            error("\(context) has nothing to build: add 'prompt:' or 'steps:'", at: item.location)
        }
        if let sizes = byName["sizes"], let list = integerList(sizes), !list.isEmpty {
            var step = StepDefinition(name: Located("sizes", at: sizes.location), kind: .derive, derive: DeriveSpec(),
                                      sizes: list, locations: ["sizes": sizes.location])
            if let final = asset.finalStep, asset.step(named: final.value) != nil {
                step.from = Located(.reference(item.name, step: final.value), at: final.location)
            }
            let stem = asset.matrix == nil ? "{{asset}}" : "{{variant}}"
            step.output = Located("{{pipeline}}/{{asset}}/\(stem)-{{size}}.{{ext}}", at: sizes.location)
            asset.steps.append(step)
        }
        var seen = Set<String>()
        for step in asset.steps where !seen.insert(step.name.value).inserted {
            error("\(context) has two steps named '\(step.name.value)'", at: step.name.location)
        }
        return asset
    }

    /// `prompt:` (+ `images`, `mask`, `output`) → step `main`; `derive:` items → derive steps from it.
    private func shorthandSteps(_ promptEntry: Entry, _ byName: [String: Entry], asset: Asset) -> [StepDefinition] {
        let isEdit = byName["images"] != nil
        var main = StepDefinition(name: Located("main", at: promptEntry.location), kind: isEdit ? .edit : .generate,
                                  locations: ["prompt": promptEntry.location])
        main.prompt = prompt(promptEntry)
        if let entry = byName["candidates"] {
            if isEdit { misplaced(entry, .editShorthand) } else {
                main.locations["candidates"] = entry.location
                main.candidates = candidates(entry)
            }
        }
        if let images = byName["images"] { self.images(images, into: &main) }
        if let mask = byName["mask"] {
            if isEdit { self.mask(mask, into: &main) } else {
                error("mask applies to edit steps only (add 'images:' to edit)", at: mask.location)
            }
        }
        let stem = asset.matrix == nil ? "{{asset}}" : "{{asset}}/{{variant}}"
        main.output = byName["output"].flatMap(output) ?? Located("{{pipeline}}/\(stem).{{ext}}", at: promptEntry.location)
        if let output = byName["output"] { main.locations["output"] = output.location }
        var steps = [main]
        guard let derive = byName["derive"] else { return steps }
        guard case let .sequence(items) = derive.value else {
            typeError(derive, ManifestKeys.asset["derive"]!.type)
            return steps
        }
        for (i, node) in items.enumerated() {
            let context = "derive item \(i + 1) of asset '\(asset.name.value)'"
            guard let entries = entries(node, ManifestKeys.deriveItem, in: context, isExtra: { $0 == "candidates" })
            else { continue }
            for entry in entries where entry.name == "candidates" { misplaced(entry, .derive) }
            var name = items.count == 1 ? "derive" : "derive-\(i + 1)"
            if let written = entries.first(where: { $0.name == "name" }).flatMap(string) {
                name = written.value
                if !Self.isValidName(name) { stepNameError(name, at: written.location) }
            }
            var step = StepDefinition(name: Located(name, at: location(node)), kind: .derive)
            applyDerive(entries.filter { !["name", "output", "candidates"].contains($0.name) }, to: &step)
            let stem = asset.matrix == nil ? "{{asset}}" : "{{variant}}"
            let written = entries.first { $0.name == "output" }
            step.output = written.flatMap(output) ?? Located("{{pipeline}}/{{asset}}/\(stem)-{{step}}.{{ext}}", at: location(node))
            if let written { step.locations["output"] = written.location }
            steps.append(step)
        }
        return steps
    }

    /// An output path template.
    func output(_ entry: Entry) -> Located<String>? {
        guard case .scalar = entry.value, entry.value.tagName != .null else {
            typeError(entry, .string)
            return nil
        }
        return text(entry.value)
    }

    func images(_ entry: Entry, into step: inout StepDefinition) {
        step.locations["images"] = entry.location
        guard let list = stringList(entry) else { return }
        step.images = list.map { Located(ImageSource(parsing: $0.value), at: $0.location) }
        if list.isEmpty || list.count > 16 {
            error("an edit takes 1–16 images, not \(list.count)", at: location(entry.value))
        }
    }

    func mask(_ entry: Entry, into step: inout StepDefinition) {
        step.locations["mask"] = entry.location
        guard let text = string(entry) else { return }
        step.mask = Located(ImageSource(parsing: text.value), at: text.location)
    }

    /// Step and asset names: letters, digits, `-`, `_`.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
    }

    func stepNameError(_ name: String, at location: SourceLocation) {
        error("step name '\(name)' may use only letters, digits, '-' and '_'", at: location)
    }
}
