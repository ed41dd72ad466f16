import KilnCore
import Yams

extension ManifestDecoder {
    static let stepKinds = ["generate", "edit", "derive"]

    /// `steps:` — name → step, in file order.
    func steps(_ entry: Entry, asset: String) -> [StepDefinition] {
        guard case .mapping = entry.value else {
            typeError(entry, ManifestKeys.asset["steps"]!.type)
            return []
        }
        let items = namedEntries(entry)
        if items.isEmpty { error("'steps' of asset '\(asset)' is empty", at: entry.location) }
        return items.compactMap { step($0, asset: asset) }
    }

    private func step(_ item: Entry, asset: String) -> StepDefinition? {
        if !Self.isValidName(item.name) { stepNameError(item.name, at: item.location) }
        let context = "step '\(item.name)' of asset '\(asset)'"
        guard let fields = entries(item.value, ManifestKeys.step, in: context, what: context) else { return nil }
        let kinds = fields.filter { Self.stepKinds.contains($0.name) }
        guard let kindEntry = kinds.first, let kind = StepKind(rawValue: kindEntry.name) else {
            error("\(context) needs one of 'generate:', 'edit:' or 'derive:'", at: item.location)
            return nil
        }
        if kinds.count > 1 {
            let names = kinds.map { "'\($0.name)'" }.joined(separator: " and ")
            error("\(context) has \(names): a step does exactly one thing; split it into separate steps",
                  at: kinds[1].location)
        }
        var step = StepDefinition(name: Located(item.name, at: item.location), kind: kind,
                                  locations: [kind.rawValue: kindEntry.location])
        let body = "'\(kind.rawValue)' of step '\(item.name)'"
        switch kind {
        case .generate, .edit:
            let table = kind == .generate ? ManifestKeys.generate : ManifestKeys.edit
            let isExtra = { (name: String) in kind == .generate ? name == "mask" : name == "candidates" }
            let inner = entries(kindEntry.value, table, in: body, isExtra: isExtra) ?? []
            for entry in inner {
                switch entry.name {
                case "prompt":
                    step.locations["prompt"] = entry.location
                    step.prompt = prompt(entry)
                case "candidates":
                    if kind == .generate {
                        step.locations["candidates"] = entry.location
                        step.candidates = candidates(entry)
                    } else {
                        misplaced(entry, .edit)
                    }
                case "images": images(entry, into: &step)
                case "mask":
                    if kind == .edit { mask(entry, into: &step) } else {
                        error("mask applies to edit steps only", at: entry.location)
                    }
                default: apply(entry, to: &step.parameters)
                }
            }
        case .derive:
            let isParameter: (String) -> Bool = { $0 == "mask" || $0 == "prompt" || $0 == "candidates" }
            let inner = entries(kindEntry.value, ManifestKeys.derive, in: body, isExtra: isParameter) ?? []
            for entry in inner where isParameter(entry.name) {
                switch entry.name {
                case "mask": error("mask applies to edit steps only", at: entry.location)
                case "candidates": misplaced(entry, .derive)
                default: error("a derive step has no prompt: it only resizes, crops, pads and re-encodes", at: entry.location)
                }
            }
            applyDerive(inner.filter { !isParameter($0.name) }, to: &step)
        }
        if let outputEntry = fields.first(where: { $0.name == "output" }) {
            step.locations["output"] = outputEntry.location
            step.output = output(outputEntry)
        }
        return step
    }
}
