import KilnCore

/// A validated generate or edit request, as the fake understood it.
struct FakeImageRequest {
    var model: String
    var prompt: String
    var n: Int
    var width: Int
    var height: Int
    var quality: String
    var background: String
    var format: ImageFormat
    var compression: Int?
    /// `size` was `auto` (an edit then answers at its first image's size).
    var sizeIsAuto = false
    var inputImages: Int

    static let gptImage1Sizes: Set<String> = ["1024x1024", "1536x1024", "1024x1536", "auto"]
    static let liveModels: Set<String> = [
        "gpt-image-1.5", "gpt-image-1-mini", "gpt-image-2", "gpt-image-2-2026-04-21", "chatgpt-image-latest",
    ]
    static let generationFields: Set<String> = [
        "prompt", "model", "n", "size", "quality", "background", "output_format", "output_compression",
        "moderation", "user", "stream", "partial_images",
    ]
    static let editTextFields: Set<String> = [
        "prompt", "model", "n", "size", "quality", "background", "output_format", "output_compression",
        "input_fidelity", "user", "stream", "partial_images",
    ]

    /// Validates fields (already known to be allowed names) the way the live service does.
    init(fields: [String: String], inputImages: Int, isEdit: Bool) throws(FakeAPIError) {
        model = fields["model"] ?? "gpt-image-1.5"
        guard Self.liveModels.contains(model) else {
            throw FakeAPIError(status: 404, message: "The model '\(model)' does not exist or you do not have access to it.",
                               param: "model", code: "model_not_found")
        }
        guard let prompt = fields["prompt"], !prompt.isEmpty else {
            throw .invalid("prompt", "Missing required parameter: 'prompt'.", code: "missing_required_parameter")
        }
        // The service counts code points (as Kiln does), not grapheme clusters.
        guard prompt.unicodeScalars.count <= 32_000 else { throw .invalid("prompt", "Prompt is longer than 32000 characters.") }
        self.prompt = prompt
        guard let n = Int(fields["n"] ?? "1"), (1...10).contains(n) else {
            throw .invalid("n", "Invalid 'n': expected an integer between 1 and 10.")
        }
        self.n = n
        let sizeText = fields["size"] ?? "auto"
        let gpt2 = model.hasPrefix("gpt-image-2")
        guard let size = SizeSpec(sizeText), gpt2 || Self.gptImage1Sizes.contains(sizeText) else {
            throw .invalid("size", "Invalid size '\(sizeText)'. Supported sizes are 1024x1024, 1024x1536, 1536x1024, and auto.")
        }
        switch size {
        case .auto:
            (width, height) = (1024, 1024)
            sizeIsAuto = true
        case let .fixed(w, h):
            if gpt2 {
                let (long, short) = (max(w, h), min(w, h))
                guard w % 16 == 0, h % 16 == 0, long <= 3840, short <= 2160, long <= 3 * short else {
                    throw .invalid("size", "Invalid size '\(sizeText)': both sides must be multiples of 16, "
                        + "aspect between 1:3 and 3:1, at most 3840x2160.")
                }
            }
            (width, height) = (w, h)
        }
        let qualityText = fields["quality"] ?? "auto"
        guard ["low", "medium", "high", "auto"].contains(qualityText) else {
            throw .invalid("quality", "Invalid quality '\(qualityText)'.")
        }
        quality = qualityText == "auto" ? "medium" : qualityText
        guard let format = ImageFormat(rawValue: fields["output_format"] ?? "png") else {
            throw .invalid("output_format", "Invalid output_format '\(fields["output_format"] ?? "")'.")
        }
        self.format = format
        let backgroundText = fields["background"] ?? "auto"
        guard ["transparent", "opaque", "auto"].contains(backgroundText) else {
            throw .invalid("background", "Invalid background '\(backgroundText)'.")
        }
        if backgroundText == "transparent", format == .jpeg {
            throw .invalid("background", "Transparent background requires output_format png or webp.")
        }
        background = backgroundText == "auto" ? "opaque" : backgroundText
        if let text = fields["output_compression"] {
            guard let value = Int(text), (0...100).contains(value) else {
                throw .invalid("output_compression", "output_compression must be an integer from 0 to 100.")
            }
            if format == .png, value != 100 {
                throw .invalid("output_compression", "output_compression is only supported for jpeg and webp.")
            }
            compression = format == .png ? nil : value
        }
        if let moderation = fields["moderation"], !["auto", "low"].contains(moderation) {
            throw .invalid("moderation", "Invalid moderation '\(moderation)'.")
        }
        if let fidelity = fields["input_fidelity"] {
            guard isEdit, !gpt2, model != "gpt-image-1-mini" else {
                throw .invalid("input_fidelity", "input_fidelity is not supported for model '\(model)'.",
                               code: "unsupported_parameter")
            }
            guard ["high", "low"].contains(fidelity) else {
                throw .invalid("input_fidelity", "Invalid input_fidelity '\(fidelity)'.")
            }
        }
        self.inputImages = inputImages
    }

    /// Usage from the tokens table (CONTRACT.md), as the live service would report it.
    var usage: [String: Any] {
        let text = max(1, prompt.count / 4)
        let image = inputImages * PriceTable.estimatedTokensPerInputImage
        let quality = RenderQuality(rawValue: quality)
        let output = PriceTable.outputTokens(quality: quality, size: .fixed(width: width, height: height)) * n
        return ["input_tokens": text + image, "output_tokens": output, "total_tokens": text + image + output,
                "input_tokens_details": ["text_tokens": text, "image_tokens": image]]
    }
}
