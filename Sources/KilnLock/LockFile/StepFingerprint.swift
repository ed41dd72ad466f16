import KilnCore

/// The things that determine a step's result — what `CacheKey` hashes — as named, readable fields,
/// in a fixed order. Stored in `kiln.lock` so a later build can say *which* field changed, and
/// from what to what, when a key no longer matches.
///
/// Field names: `kind`, `provider`, `model`, `prompt`; the image parameters by their key names
/// (`ImageParameters.fields`: `size`, `quality`, `background`, `format`, …); the derive
/// operations `crop`, `resize`, `pad`, `flatten`, `format`, `quality`, `strip`; `input[i]`,
/// `mask`, `salt`; for a step with candidates, `candidate` (the number in use, 1 included) and
/// `reroll` (its salt). Absent values are omitted. An input reads `file PATH sha256:DIGEST` or
/// `step ID key:KEY`.
public struct StepFingerprint: Hashable, Sendable {
    /// One named value.
    public struct Field: Hashable, Sendable, CustomStringConvertible {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        public var description: String { "\(name): \(value)" }
    }

    /// The fields in their fixed order.
    public var fields: [Field]

    public init(fields: [Field]) {
        self.fields = fields
    }

    /// The fingerprint of `step`. `upstreamKeys` holds the cache keys of the steps it reads
    /// (a missing one is written as the step id alone, as `CacheKey` does).
    public init(step: PlannedStep, upstreamKeys: [StepID: String]) {
        var fields = [Field]()
        fields.reserveCapacity(16)
        func add(_ name: String, _ value: String?) {
            if let value { fields.append(Field(name, value)) }
        }
        add("kind", step.kind.rawValue)
        add("provider", step.provider)
        add("model", step.model)
        add("prompt", step.prompt)
        if let p = step.parameters, step.kind != .derive {
            for (name, value) in p.keyFields { add(name, value) }
        }
        if let d = step.derive {
            if let c = d.crop {
                add("crop", "x=\(c.x.map(String.init) ?? "center") y=\(c.y.map(String.init) ?? "center") \(c.width)x\(c.height)")
            }
            if let r = d.resize {
                add("resize", "\(r.width.map(String.init) ?? "auto")x\(r.height.map(String.init) ?? "auto") fit=\(r.fit.rawValue)"
                    + (r.upscale ? " upscale" : ""))
            }
            if let p = d.pad { add("pad", "top=\(p.top) right=\(p.right) bottom=\(p.bottom) left=\(p.left)") }
            add("flatten", d.background?.description)
            add("format", d.format.rawValue)
            add("quality", d.quality.map(String.init))
            add("strip", String(d.strip))
        }
        for (i, input) in step.inputs.enumerated() {
            add("input[\(i)]", Self.describe(input, upstreamKeys: upstreamKeys))
        }
        if let mask = step.mask { add("mask", Self.describe(mask, upstreamKeys: upstreamKeys)) }
        add("salt", step.salt)
        add("candidate", step.candidate.map(String.init))
        add("reroll", step.reroll)
        self.fields = fields
    }

    /// The value of the field `name`, if present.
    public subscript(name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The fields as a dictionary (the lock stores them so).
    public var dictionary: [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    package static func describe(_ input: StepInput, upstreamKeys: [StepID: String]) -> String {
        switch input {
        case let .file(path, digest): "file \(path) sha256:\(digest)"
        case let .step(id): "step \(id) key:\(upstreamKeys[id] ?? id.description)"
        }
    }
}
