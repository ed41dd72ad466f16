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
        let fields = request.parameters.requestFields(for: .generate, model: request.model)
        let body = JSONValue.object([("prompt", .string(request.prompt)), ("model", .string(request.model))]
            + fields.map { ($0.name, $0.value.json) })
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
        for (name, value) in scalarFields(request, endpoint: .edit) {
            form.addText(name: name, value: value)
        }
        return OpenAIRequestBody(path: "/images/edits", contentType: form.contentType, data: form.finish())
    }

    /// The scalar fields in spec spelling: prompt, model, then the parameter table's rows the
    /// endpoint takes (`ImageParameters.requestFields`); unset values are not sent.
    static func scalarFields(_ request: ImageRequest, endpoint: StepKind) -> [(String, String)] {
        [("prompt", request.prompt), ("model", request.model)]
            + request.parameters.requestFields(for: endpoint, model: request.model).map { ($0.name, $0.value.keyText) }
    }
}
