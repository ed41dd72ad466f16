/// A cost in tokens and US dollars, planned or actual.
public struct CostEstimate: Hashable, Sendable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var usd: Double

    public init(inputTokens: Int, outputTokens: Int, usd: Double) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.usd = usd
    }

    public static let zero = CostEstimate(inputTokens: 0, outputTokens: 0, usd: 0)

    public static func + (a: CostEstimate, b: CostEstimate) -> CostEstimate {
        CostEstimate(inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
                     usd: a.usd + b.usd)
    }
}

/// USD per million tokens for one model.
public struct ModelPrice: Hashable, Sendable, Codable {
    public var textInput: Double
    public var imageInput: Double
    public var imageOutput: Double

    public init(textInput: Double, imageInput: Double, imageOutput: Double) {
        self.textInput = textInput
        self.imageInput = imageInput
        self.imageOutput = imageOutput
    }
}

/// Prices by model, with Kiln's built-in table (CONTRACT.md) as the base a manifest can override.
public struct PriceTable: Hashable, Sendable {
    public var prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice]) {
        self.prices = prices
    }

    /// Built-in prices. gpt-image-1.5 text input and every gpt-image-2 / alias price are assumed
    /// equal to gpt-image-1.5's until better numbers exist; override them under `prices:`.
    public static let builtin = PriceTable(prices: [
        "gpt-image-1": ModelPrice(textInput: 5, imageInput: 10, imageOutput: 40),
        "gpt-image-1-mini": ModelPrice(textInput: 2, imageInput: 2.5, imageOutput: 8),
        "gpt-image-1.5": ModelPrice(textInput: 5, imageInput: 8, imageOutput: 32),
        "gpt-image-2": ModelPrice(textInput: 5, imageInput: 8, imageOutput: 32),
        "gpt-image-2-2026-04-21": ModelPrice(textInput: 5, imageInput: 8, imageOutput: 32),
        "chatgpt-image-latest": ModelPrice(textInput: 5, imageInput: 8, imageOutput: 32),
    ])

    /// This table with `overrides` replacing whole entries.
    public func merging(_ overrides: [String: ModelPrice]) -> PriceTable {
        PriceTable(prices: prices.merging(overrides) { _, new in new })
    }

    /// Output tokens per image (CONTRACT.md, gpt-image-1 family), scaled by area for other sizes.
    /// `auto` size is estimated as 1024x1024 and `auto` quality as high (the dearest, so a budget holds).
    public static func outputTokens(quality: RenderQuality?, size: SizeSpec?) -> Int {
        let row: (square: Int, portrait: Int, landscape: Int)
        switch quality ?? .auto {
        case .low: row = (272, 408, 400)
        case .medium: row = (1056, 1584, 1568)
        case .high, .auto: row = (4160, 6240, 6208)
        }
        guard case let .fixed(w, h)? = size else { return row.square }
        switch (w, h) {
        case (1024, 1024): return row.square
        case (1024, 1536): return row.portrait
        case (1536, 1024): return row.landscape
        default: return Int((Double(row.square) * Double(w * h) / Double(1024 * 1024)).rounded())
        }
    }

    /// Rough input-image tokens per edit input, until the service reports them.
    public static let estimatedTokensPerInputImage = 1_000

    /// A planned cost for one generate or edit step.
    public func estimate(model: String, parameters: ImageParameters, promptCharacters: Int,
                         inputImages: Int) -> CostEstimate {
        let out = Self.outputTokens(quality: parameters.quality, size: parameters.size) * parameters.n
        let text = max(1, promptCharacters / 4)
        let image = inputImages * Self.estimatedTokensPerInputImage
        guard let price = prices[model] else {
            return CostEstimate(inputTokens: text + image, outputTokens: out, usd: 0)
        }
        let usd = (Double(text) * price.textInput + Double(image) * price.imageInput
            + Double(out) * price.imageOutput) / 1_000_000
        return CostEstimate(inputTokens: text + image, outputTokens: out, usd: usd)
    }

    /// The actual cost of a call from its reported usage.
    public func cost(model: String, usage: Usage) -> Double {
        guard let price = prices[model] else { return 0 }
        let imageIn = usage.inputImageTokens ?? 0
        let textIn = usage.inputTextTokens ?? (usage.inputTokens - imageIn)
        return (Double(textIn) * price.textInput + Double(imageIn) * price.imageInput
            + Double(usage.outputTokens) * price.imageOutput) / 1_000_000
    }
}
