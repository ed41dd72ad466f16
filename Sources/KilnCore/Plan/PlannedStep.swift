/// What a step does.
public enum StepKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// Text to image, through a provider (paid).
    case generate
    /// Images (+ optional mask) and text to image, through a provider (paid).
    case edit
    /// Local image work on one input: resize, crop, pad, flatten, re-encode. Never touches the network.
    case derive

    /// Whether the step calls a provider.
    public var usesProvider: Bool { self != .derive }
}

/// An image a step reads: a file next to the manifest, or another step's result.
public enum StepInput: Hashable, Sendable, Codable, CustomStringConvertible {
    /// An absolute path and the SHA-256 of its content when planned.
    case file(path: String, digest: String)
    case step(StepID)

    public var description: String {
        switch self {
        case let .file(path, _): path
        case let .step(id): "@\(id)"
        }
    }

    public var stepID: StepID? {
        if case let .step(id) = self { return id }
        return nil
    }

    // Encoded flat: `{"file": "pipelines/inputs/a.png", "digest": "…"}` or `{"step": "p/a/main"}`.
    private enum CodingKeys: String, CodingKey { case file, digest, step }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try c.decodeIfPresent(StepID.self, forKey: .step) {
            self = .step(id)
        } else {
            self = .file(path: try c.decode(String.self, forKey: .file), digest: try c.decode(String.self, forKey: .digest))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .file(path, digest):
            try c.encode(path, forKey: .file)
            try c.encode(digest, forKey: .digest)
        case let .step(id):
            try c.encode(id, forKey: .step)
        }
    }
}

/// A file a step writes, relative to the output directory.
public struct StepOutput: Hashable, Sendable, Codable {
    /// Relative path under `outputs/`, with `/` separators.
    public var path: String
    /// The step id the output belongs to (differs from the step's own id when identical steps merged).
    public var owner: StepID
    /// Which of the step's `n` images this file holds (0-based).
    public var index: Int

    public init(path: String, owner: StepID, index: Int = 0) {
        self.path = path
        self.owner = owner
        self.index = index
    }
}

/// One concrete unit of work in a plan: a generate, edit or derive with everything resolved.
public struct PlannedStep: Hashable, Sendable, Codable {
    public var id: StepID
    /// Other step ids with the same cache key, merged into this one (planned once).
    public var aliases: [StepID]
    public var kind: StepKind
    /// The provider name (`openai`, `placeholder`); nil for derive.
    public var provider: String?
    public var model: String?
    /// The rendered, whitespace-normalised prompt; nil for derive.
    public var prompt: String?
    public var parameters: ImageParameters?
    /// Edit: the input images in order. Derive: exactly one input.
    public var inputs: [StepInput]
    public var mask: StepInput?
    public var derive: DeriveOperations?
    /// Files this step writes; empty for an intermediate step.
    public var outputs: [StepOutput]
    /// Steps that must finish first (the step inputs, deduplicated, in order).
    public var dependencies: [StepID]
    public var salt: String?
    /// Which candidate of its step this is (1-based), for a generate step with `candidates:`;
    /// nil for every other step. In the cache key from 2 on, so candidate 1 keeps the key the step
    /// had without candidates.
    public var candidate: Int?
    /// The salt `kiln reroll` gave this candidate (in the cache key); nil until it is re-rolled.
    public var reroll: String?
    /// The matrix values of the step's variant.
    public var variantValues: [String: String]
    /// SHA-256 over a canonical encoding of everything that determines the result.
    public var cacheKey: String
    /// Planned cost; nil for derive.
    public var estimate: CostEstimate?
    /// `.batch` when the manifest says `mode: batch` for an OpenAI step (sent through OpenAI's Batch
    /// API); nil for a direct request, another provider and derive. Not part of the cache key.
    public var mode: RequestMode?

    public init(id: StepID, aliases: [StepID] = [], kind: StepKind, provider: String? = nil, model: String? = nil,
                prompt: String? = nil, parameters: ImageParameters? = nil, inputs: [StepInput] = [],
                mask: StepInput? = nil, derive: DeriveOperations? = nil, outputs: [StepOutput] = [],
                dependencies: [StepID] = [], salt: String? = nil, candidate: Int? = nil, reroll: String? = nil,
                variantValues: [String: String] = [:], cacheKey: String, estimate: CostEstimate? = nil,
                mode: RequestMode? = nil) {
        self.id = id
        self.aliases = aliases
        self.kind = kind
        self.provider = provider
        self.model = model
        self.prompt = prompt
        self.parameters = parameters
        self.inputs = inputs
        self.mask = mask
        self.derive = derive
        self.outputs = outputs
        self.dependencies = dependencies
        self.salt = salt
        self.candidate = candidate
        self.reroll = reroll
        self.variantValues = variantValues
        self.cacheKey = cacheKey
        self.estimate = estimate
        self.mode = mode
    }

    /// The format of the image(s) this step produces.
    public var format: ImageFormat {
        derive?.format ?? parameters?.format ?? .png
    }

    /// The exact dimensions a generate/edit step asked for, when fixed.
    public var requestedSize: (width: Int, height: Int)? {
        if case let .fixed(w, h)? = parameters?.size { return (w, h) }
        return nil
    }
}
