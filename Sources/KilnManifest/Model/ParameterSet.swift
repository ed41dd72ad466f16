import KilnCore

/// Generate/edit parameters as one level of a manifest writes them (defaults, a preset, an asset or
/// a step). Unset fields inherit from the level below: defaults ← preset ← asset ← step.
public struct ParameterSet: Sendable, Hashable {
    public var provider: String?
    public var model: String?
    public var size: SizeSpec?
    public var quality: RenderQuality?
    public var background: BackgroundMode?
    public var format: ImageFormat?
    public var compression: Int?
    public var moderation: Moderation?
    public var n: Int?
    public var inputFidelity: InputFidelity?
    public var user: String?
    /// Part of the cache key only: change it to deliberately re-roll an image.
    public var salt: String?
    /// How the step reaches OpenAI (`mode:`); not part of the cache key.
    public var mode: RequestMode?
    /// Where each set field was written, by manifest key (`size`, `input_fidelity`, …).
    public var locations: [String: SourceLocation]

    public init(provider: String? = nil, model: String? = nil, size: SizeSpec? = nil, quality: RenderQuality? = nil,
                background: BackgroundMode? = nil, format: ImageFormat? = nil, compression: Int? = nil,
                moderation: Moderation? = nil, n: Int? = nil, inputFidelity: InputFidelity? = nil,
                user: String? = nil, salt: String? = nil, mode: RequestMode? = nil, locations: [String: SourceLocation] = [:]) {
        self.provider = provider
        self.model = model
        self.size = size
        self.quality = quality
        self.background = background
        self.format = format
        self.compression = compression
        self.moderation = moderation
        self.n = n
        self.inputFidelity = inputFidelity
        self.user = user
        self.salt = salt
        self.mode = mode
        self.locations = locations
    }

    /// This set with every field that `top` sets replacing ours (and its location).
    public func overlaid(by top: ParameterSet) -> ParameterSet {
        ParameterSet(provider: top.provider ?? provider, model: top.model ?? model, size: top.size ?? size,
                     quality: top.quality ?? quality, background: top.background ?? background,
                     format: top.format ?? format, compression: top.compression ?? compression,
                     moderation: top.moderation ?? moderation, n: top.n ?? n,
                     inputFidelity: top.inputFidelity ?? inputFidelity, user: top.user ?? user,
                     salt: top.salt ?? salt, mode: top.mode ?? mode,
                     locations: locations.merging(top.locations) { _, new in new })
    }
}
