import KilnCore

/// Builds a step's cache key: SHA-256 over a canonical, length-prefixed encoding of everything
/// that determines the result — and nothing else (no names, paths, YAML layout or key order).
///
/// Not in the key, on purpose: `user` (an abuse-monitoring tag the service does not draw with)
/// and output paths (renaming a file must not re-buy the image).
struct CacheKey {
    /// Bump when the encoding or its meaning changes; every key changes with it.
    static let schemaVersion = 1

    private var text = ""

    init(kind: StepKind) {
        text.reserveCapacity(512)
        field("v", String(Self.schemaVersion))
        field("kind", kind.rawValue)
    }

    private init() {}

    /// Fields encoded once and appended to many keys (what a definition contributes to each variant).
    static func fragment(_ build: (inout CacheKey) -> Void) -> String {
        var key = CacheKey()
        build(&key)
        return key.text
    }

    mutating func append(fragment: String) {
        text += fragment
    }

    /// `name=length:value;` — unambiguous whatever the value holds.
    mutating func field(_ name: String, _ value: String?) {
        guard let value else { return }
        text += name
        text += "="
        text += String(value.utf8.count)
        text += ":"
        text += value
        text += ";"
    }

    /// From the parameter table (`ImageParameters.keyFields`).
    mutating func parameters(_ p: ImageParameters) {
        for (name, value) in p.keyFields { field(name, value) }
    }

    mutating func derive(_ d: DeriveOperations) {
        if let c = d.crop {
            field("crop", "\(c.x.map(String.init) ?? "c"),\(c.y.map(String.init) ?? "c"),\(c.width),\(c.height)")
        }
        if let r = d.resize {
            field("resize", "\(r.width.map(String.init) ?? "_"),\(r.height.map(String.init) ?? "_"),\(r.fit.rawValue),\(r.upscale)")
        }
        if let p = d.pad { field("pad", "\(p.top),\(p.right),\(p.bottom),\(p.left)") }
        field("flatten", d.background?.description)
        field("format", d.format.rawValue)
        field("quality", d.quality.map(String.init))
        field("strip", String(d.strip))
    }

    /// An input: a file by content, a step by its key.
    mutating func input(_ name: String, _ input: StepInput, keys: [StepID: String]) {
        switch input {
        case let .file(_, digest): field(name, "file:" + digest)
        case let .step(id): field(name, "step:" + (keys[id] ?? id.description))
        }
    }

    func finalize() -> String { Digest.sha256(text) }
}
