import KilnCore

/// Where an image comes from: a file relative to the manifest, or a reference to a step.
public enum ImageSource: Sendable, Hashable, CustomStringConvertible {
    /// A path as written, relative to the manifest's directory.
    case file(String)
    /// `@name` (a step of the same asset, or an asset's final step) or `@asset.step`.
    case reference(String, step: String?)

    /// Parses `@a`, `@a.b` or a path.
    public init(parsing text: String) {
        guard text.hasPrefix("@") else { self = .file(text); return }
        let body = text.dropFirst()
        if let dot = body.firstIndex(of: ".") {
            self = .reference(String(body[..<dot]), step: String(body[body.index(after: dot)...]))
        } else {
            self = .reference(String(body), step: nil)
        }
    }

    public var description: String {
        switch self {
        case let .file(path): path
        case let .reference(name, step?): "@\(name).\(step)"
        case let .reference(name, nil): "@\(name)"
        }
    }
}

/// A prompt: one string, or bullets joined into sentences (see `Prompt.text`).
public struct Prompt: Sendable, Hashable {
    public var parts: [Located<String>]

    public init(parts: [Located<String>]) {
        self.parts = parts
    }

    public var location: SourceLocation? { parts.first?.location }
}

/// A derive step's operations as written. `format` may be nil: it then comes from the output's
/// extension, else the input's format.
public struct DeriveSpec: Sendable, Hashable {
    public var crop: CropSpec?
    public var resize: ResizeSpec?
    public var pad: Insets?
    public var background: RGBAColor?
    public var format: ImageFormat?
    public var quality: Int?
    public var strip: Bool?

    public init(crop: CropSpec? = nil, resize: ResizeSpec? = nil, pad: Insets? = nil, background: RGBAColor? = nil,
                format: ImageFormat? = nil, quality: Int? = nil, strip: Bool? = nil) {
        self.crop = crop
        self.resize = resize
        self.pad = pad
        self.background = background
        self.format = format
        self.quality = quality
        self.strip = strip
    }
}

/// One step under an asset's `steps:` (or desugared from the shorthand).
public struct StepDefinition: Sendable, Hashable {
    public var name: Located<String>
    public var kind: StepKind
    /// generate / edit.
    public var prompt: Prompt?
    /// Step-level parameters (generate / edit); inherit asset ← preset ← defaults.
    public var parameters: ParameterSet
    /// edit: 1–16 inputs in order.
    public var images: [Located<ImageSource>]
    /// edit: optional mask file or reference.
    public var mask: Located<ImageSource>?
    /// derive: the one input; nil means the asset's previous non-derive step (`main` in the shorthand).
    public var from: Located<ImageSource>?
    public var derive: DeriveSpec?
    /// derive: one output per size (`resize` to a square box of each), `{{size}}` in the output.
    public var sizes: [Located<Int>]
    /// generate: `candidates: N` — N images to choose from, each planned as its own step.
    public var candidates: Located<Int>?
    /// The output path template relative to `outputs/`; nil for an intermediate step.
    public var output: Located<String>?
    /// Where each key of the step was written, by manifest key (`prompt`, `mask`, `resize`, …).
    public var locations: [String: SourceLocation]

    public init(name: Located<String>, kind: StepKind, prompt: Prompt? = nil, parameters: ParameterSet = ParameterSet(),
                images: [Located<ImageSource>] = [], mask: Located<ImageSource>? = nil,
                from: Located<ImageSource>? = nil, derive: DeriveSpec? = nil, sizes: [Located<Int>] = [],
                output: Located<String>? = nil, locations: [String: SourceLocation] = [:]) {
        self.name = name
        self.kind = kind
        self.prompt = prompt
        self.parameters = parameters
        self.images = images
        self.mask = mask
        self.from = from
        self.derive = derive
        self.sizes = sizes
        self.output = output
        self.locations = locations
    }

    /// The location of `key` in this step, else the step's name.
    public func location(of key: String) -> SourceLocation {
        locations[key] ?? name.location
    }
}
