/// A requested image size: a fixed `WIDTHxHEIGHT`, or `auto` (the model decides).
public enum SizeSpec: Hashable, Sendable, Codable, CustomStringConvertible {
    case auto
    case fixed(width: Int, height: Int)

    /// Parses `1024x1024` or `auto`; nil for anything else.
    public init?(_ text: String) {
        let lower = text.lowercased()
        if lower == "auto" { self = .auto; return }
        let parts = lower.split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (1...ImageLimits.maxSide).contains(w), (1...ImageLimits.maxSide).contains(h) else { return nil }
        self = .fixed(width: w, height: h)
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case let .fixed(w, h): "\(w)x\(h)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let spec = SizeSpec(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad size \(text)"))
        }
        self = spec
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The Images API's `quality`.
public enum RenderQuality: String, Sendable, Codable, CaseIterable, Hashable {
    case low, medium, high, auto
}

/// The Images API's `background`.
public enum BackgroundMode: String, Sendable, Codable, CaseIterable, Hashable {
    case transparent, opaque, auto
}

/// The Images API's `moderation` (generations only; the multipart edit form has no such field).
public enum Moderation: String, Sendable, Codable, CaseIterable, Hashable {
    case auto, low
}

/// How a paid step reaches OpenAI (`mode:`): a request now, or a line in a Batch API batch at half
/// price, answered within 24 h. Not part of the cache key: both make the same image.
public enum RequestMode: String, Sendable, Codable, CaseIterable, Hashable {
    case direct, batch
}

/// The Images API's `input_fidelity` (edits only).
public enum InputFidelity: String, Sendable, Codable, CaseIterable, Hashable {
    case high, low
}

/// The effective parameters of a generate or edit step, after defaults and presets are applied.
/// A nil field is not sent, and the service uses its own default.
public struct ImageParameters: Hashable, Sendable, Codable {
    public var size: SizeSpec?
    public var quality: RenderQuality?
    public var background: BackgroundMode?
    /// Always known: from `format`, else the output's extension, else png.
    public var format: ImageFormat
    /// `output_compression`, 0–100, jpeg and webp only.
    public var compression: Int?
    public var moderation: Moderation?
    /// Images per request, 1–10.
    public var n: Int
    public var inputFidelity: InputFidelity?
    public var user: String?

    public init(size: SizeSpec? = nil, quality: RenderQuality? = nil, background: BackgroundMode? = nil,
                format: ImageFormat = .png, compression: Int? = nil, moderation: Moderation? = nil,
                n: Int = 1, inputFidelity: InputFidelity? = nil, user: String? = nil) {
        self.size = size
        self.quality = quality
        self.background = background
        self.format = format
        self.compression = compression
        self.moderation = moderation
        self.n = n
        self.inputFidelity = inputFidelity
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case size, quality, background, format = "output_format", compression = "output_compression"
        case moderation, n, inputFidelity = "input_fidelity", user
    }
}
