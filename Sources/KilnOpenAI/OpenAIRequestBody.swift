import Foundation
import KilnCore

/// The body of one Images API call, encoded exactly as the spec spells each field.
struct OpenAIRequestBody: Sendable {
    var path: String
    var contentType: String
    var data: Data

    /// `POST /images/generations` as JSON. Sends `moderation` (JSON only), never `response_format`
    /// (GPT image models always answer base64 and the live service rejects it).
    static func generation(_ request: ImageRequest) throws -> OpenAIRequestBody {
        let body = GenerationJSON(request)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return OpenAIRequestBody(path: "/images/generations", contentType: "application/json",
                                 data: try encoder.encode(body))
    }

    /// `POST /images/edits` as multipart/form-data: one `image[]` part per input with its filename and
    /// sniffed content type, an optional `mask`, and every scalar as a text part. No `moderation`:
    /// the multipart form has no such field.
    static func edit(_ request: ImageRequest, boundary: String = "kiln-" + UUID().uuidString) -> OpenAIRequestBody {
        var form = MultipartFormBuilder(boundary: boundary)
        for (index, image) in request.images.enumerated() {
            form.addFile(name: "image[]", image: image, fallbackName: "image-\(index + 1)")
        }
        if let mask = request.mask {
            form.addFile(name: "mask", image: mask, fallbackName: "mask")
        }
        for (name, value) in scalarFields(request, includeModeration: false) {
            form.addText(name: name, value: value)
        }
        return OpenAIRequestBody(path: "/images/edits", contentType: form.contentType, data: form.finish())
    }

    /// The scalar parameters in spec spelling, in a fixed order; nil values are not sent.
    static func scalarFields(_ request: ImageRequest, includeModeration: Bool) -> [(String, String)] {
        let p = request.parameters
        var fields: [(String, String?)] = [
            ("prompt", request.prompt),
            ("model", request.model),
            ("n", String(p.n)),
            ("size", p.size?.description),
            ("quality", p.quality?.rawValue),
            ("background", p.background?.rawValue),
            ("output_format", p.format.rawValue),
            // png must stay at 100: only jpeg and webp take a compression level.
            ("output_compression", p.format == .png ? nil : p.compression.map(String.init)),
        ]
        if includeModeration {
            fields.append(("moderation", p.moderation?.rawValue))
        } else if acceptsInputFidelity(model: request.model) {
            fields.append(("input_fidelity", p.inputFidelity?.rawValue))
        }
        fields.append(("user", p.user))
        return fields.compactMap { name, value in value.map { (name, $0) } }
    }

    /// gpt-image-2 takes no `input_fidelity` (CONTRACT.md: omit the field).
    static func acceptsInputFidelity(model: String) -> Bool {
        !model.hasPrefix("gpt-image-2")
    }
}

/// The generation JSON: synthesized `Encodable` skips nil optionals, so unset fields are not sent.
private struct GenerationJSON: Encodable {
    var prompt: String
    var model: String
    var n: Int
    var size: String?
    var quality: String?
    var background: String?
    var output_format: String
    var output_compression: Int?
    var moderation: String?
    var user: String?

    init(_ request: ImageRequest) {
        let p = request.parameters
        prompt = request.prompt
        model = request.model
        n = p.n
        size = p.size?.description
        quality = p.quality?.rawValue
        background = p.background?.rawValue
        output_format = p.format.rawValue
        output_compression = p.format == .png ? nil : p.compression
        moderation = p.moderation?.rawValue
        user = p.user
    }
}
