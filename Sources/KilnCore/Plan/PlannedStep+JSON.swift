/// Plan values written by hand, byte for byte as their `Codable` conformances encode through
/// `CanonicalJSON.encode(_, pretty: true)`: `JSONEncoder` spent most of `kiln plan --json`'s time
/// on 20,000 steps. Keys in the order `JSONEncoder`'s `.sortedKeys` gives (UTF-8 byte order); nil
/// optionals are left out, as `encodeIfPresent` does. Tests compare both encodings.
extension PrettyJSONWriter {
    /// A planned step (`kiln plan --json`'s `steps`).
    package mutating func value(_ step: PlannedStep) {
        openObject()
        key("aliases")
        openArray()
        for alias in step.aliases { element(); string(alias.description) }
        closeArray()
        member("cacheKey", step.cacheKey)
        member("candidate", step.candidate)
        key("dependencies")
        openArray()
        for dependency in step.dependencies { element(); string(dependency.description) }
        closeArray()
        if let derive = step.derive { key("derive"); value(derive) }
        if let estimate = step.estimate {
            key("estimate")
            openObject()
            member("inputTokens", estimate.inputTokens)
            member("outputTokens", estimate.outputTokens)
            key("usd")
            double(estimate.usd)
            closeObject()
        }
        member("id", step.id.description)
        key("inputs")
        openArray()
        for input in step.inputs { element(); value(input) }
        closeArray()
        member("kind", step.kind.rawValue)
        if let mask = step.mask { key("mask"); value(mask) }
        member("mode", step.mode?.rawValue)
        member("model", step.model)
        key("outputs")
        openArray()
        for output in step.outputs {
            element()
            openObject()
            member("index", output.index)
            member("owner", output.owner.description)
            member("path", output.path)
            closeObject()
        }
        closeArray()
        if let parameters = step.parameters { key("parameters"); value(parameters) }
        member("prompt", step.prompt)
        member("provider", step.provider)
        member("reroll", step.reroll)
        member("salt", step.salt)
        key("variantValues")
        sortedObject(step.variantValues)
        closeObject()
    }

    /// The number of stored properties `value(_: PlannedStep)` writes: a test compares it with
    /// the type's, so a property added to `PlannedStep` without a line above fails loudly.
    package static let plannedStepFieldsWritten = 19

    package mutating func value(_ input: StepInput) {
        openObject()
        switch input {
        case let .file(path, digest):
            member("digest", digest)
            member("file", path)
        case let .step(id):
            member("step", id.description)
        }
        closeObject()
    }

    /// Derive operations, as `DeriveOperations`' synthesized `Codable` writes them.
    package mutating func value(_ d: DeriveOperations) {
        openObject()
        member("background", d.background?.description)
        if let crop = d.crop {
            key("crop")
            openObject()
            member("height", crop.height)
            member("width", crop.width)
            member("x", crop.x)
            member("y", crop.y)
            closeObject()
        }
        member("format", d.format.rawValue)
        if let pad = d.pad {
            key("pad")
            openObject()
            member("bottom", pad.bottom)
            member("left", pad.left)
            member("right", pad.right)
            member("top", pad.top)
            closeObject()
        }
        member("quality", d.quality)
        if let resize = d.resize {
            key("resize")
            openObject()
            member("fit", resize.fit.rawValue)
            member("height", resize.height)
            member("upscale", resize.upscale)
            member("width", resize.width)
            closeObject()
        }
        member("strip", d.strip)
        closeObject()
    }

    /// Image parameters from the parameter table (`ImageParameters.recordedFields`, sorted by name).
    package mutating func value(_ p: ImageParameters) {
        openObject()
        for (name, value) in p.recordedFields {
            switch value {
            case let .text(text): member(name, text)
            case let .integer(number): member(name, number)
            }
        }
        closeObject()
    }

    /// A `[String: String]` with keys in UTF-8 byte order, as `JSONEncoder`'s `.sortedKeys` sorts
    /// them on Linux (`String`'s `<` can differ for strings that are not in NFC).
    package mutating func sortedObject(_ dictionary: [String: String]) {
        openObject()
        for (k, v) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { member(k, v) }
        closeObject()
    }
}
