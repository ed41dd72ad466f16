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
        OpenAIRequestBody(path: "/images/generations", contentType: "application/json",
                          data: try encode(generationJSON(request)))
    }

    /// The generation body as JSON (also a batch line's `body`).
    static func generationJSON(_ request: ImageRequest) -> JSONValue {
        .object(jsonFields(request, endpoint: .generate))
    }

    /// The JSON form of an edit (`EditImageBodyJsonParam`, a batch line's `body`): the scalars the
    /// multipart form sends, typed as JSON, plus `images` and `mask` as `ImageRefParam`s
    /// (`{"file_id": …}`). No `moderation`, as in the multipart form: the parameter table gives it
    /// to generations only, and the cache key follows the table.
    static func jsonEditJSON(_ request: ImageRequest, images: [JSONValue], mask: JSONValue?) -> JSONValue {
        var members = jsonFields(request, endpoint: .edit)
        members.append(("images", .array(images)))
        if let mask { members.append(("mask", mask)) }
        return .object(members)
    }

    /// prompt, model, then the parameter table's rows the endpoint takes, as JSON values.
    private static func jsonFields(_ request: ImageRequest, endpoint: StepKind) -> [(String, JSONValue)] {
        [("prompt", .string(request.prompt)), ("model", .string(request.model))]
            + request.parameters.requestFields(for: endpoint, model: request.model).map { ($0.name, $0.value.json) }
    }

    /// Compact JSON with sorted keys and unescaped slashes, as every JSON body is sent.
    static func encode(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
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
