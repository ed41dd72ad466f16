import Foundation
import KilnCore

/// The JSON form of an edit (`EditImageBodyJsonParam`): `images` and `mask` are `ImageRefParam`s
/// (`file_id` of an uploaded file, or `image_url`, here a base64 data URL). The references are
/// turned into the parts a multipart edit would carry and checked by `validateEdit`, so both forms
/// are validated by the same code.
extension FakeOpenAIServer {
    /// The body as JSON members, or the error the service gives for a body that is not an object.
    static func jsonObject(_ body: Data) throws(FakeAPIError) -> [(String, JSONValue)] {
        guard case let .object(members)? = try? JSONDecoder().decode(JSONValue.self, from: body) else {
            throw .invalid("body", "We could not parse the JSON body of your request.", code: "invalid_json")
        }
        return members
    }

    /// The `file_id`s a JSON edit names, to be loaded before `validateJSONEdit`.
    static func referencedFileIDs(_ body: [(String, JSONValue)]) -> [String] {
        var refs: [JSONValue] = []
        for (key, value) in body {
            if key == "images", case let .array(items) = value { refs += items }
            if key == "mask" { refs.append(value) }
        }
        return refs.compactMap { if case let .string(id)? = $0["file_id"] { id } else { nil } }
    }

    /// Validates a JSON edit; `files` holds the bytes of every uploaded file it names.
    static func validateJSONEdit(_ body: [(String, JSONValue)], files: [String: Data]) throws(FakeAPIError)
        -> FakeImageRequest {
        var fields: [(name: String, value: String)] = []
        var images: [JSONValue]?
        var mask: JSONValue?
        for (key, value) in body {
            switch key {
            case "images":
                if case let .array(items) = value { images = items }
            case "mask":
                mask = value
            case "moderation":   // the JSON form has it, the multipart form does not
                guard case let .string(text) = value, ["auto", "low"].contains(text) else {
                    throw .invalid("moderation", "Invalid moderation '\(value.rendered())'.")
                }
            default:
                guard FakeImageRequest.editTextFields.contains(key) else { throw .unknown(key) }
                fields.append((key, scalarText(value)))
            }
        }
        guard let images, !images.isEmpty else {
            throw .invalid("images", "Missing required parameter: 'images'.", code: "missing_required_parameter")
        }
        var parts: [FakeMultipartForm.Part] = []
        for (index, ref) in images.enumerated() {
            parts.append(try part(ref, name: "image[]", param: "images[\(index)]", files: files))
        }
        if let mask { parts.append(try part(mask, name: "mask", param: "mask", files: files)) }
        return try validateEdit(form: FakeMultipartForm(parts: parts), fields: fields)
    }

    /// One `ImageRefParam` → the part a multipart edit would have sent.
    private static func part(_ ref: JSONValue, name: String, param: String, files: [String: Data])
        throws(FakeAPIError) -> FakeMultipartForm.Part {
        guard case let .object(members) = ref, members.allSatisfy({ ["file_id", "image_url"].contains($0.0) }),
              members.count == 1 else {
            throw .invalid(param, "Invalid '\(param)': provide exactly one of 'image_url' or 'file_id'.")
        }
        if case let .string(id)? = ref["file_id"] {
            guard let data = files[id] else {
                throw .invalid(param, "No such File object: \(id).", code: "file_not_found")
            }
            return FakeMultipartForm.Part(name: name, filename: id, contentType: mimeType(data), body: [UInt8](data))
        }
        guard case let .string(url)? = ref["image_url"], url.hasPrefix("data:"), let comma = url.firstIndex(of: ","),
              url[..<comma].hasSuffix(";base64"),
              let data = Data(base64Encoded: String(url[url.index(after: comma)...])) else {
            throw .invalid(param, "Invalid '\(param).image_url': the fake takes only base64 data URLs "
                + "(data:image/png;base64,…).", code: "invalid_image_url")
        }
        let type = String(url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(7))
        return FakeMultipartForm.Part(name: name, filename: name, contentType: type, body: [UInt8](data))
    }

    /// The content type an uploaded file's bytes have, as the service sniffs them.
    private static func mimeType(_ data: Data) -> String {
        switch ImageFormat(sniffing: data) {
        case .png?: "image/png"
        case .jpeg?: "image/jpeg"
        case .webp?: "image/webp"
        default: "application/octet-stream"
        }
    }

    /// A JSON value as `jsonFields` spells it: strings as-is, numbers and booleans as JSON text.
    static func scalarText(_ value: JSONValue) -> String {
        switch value {
        case let .string(text): text
        case let .integer(number): String(number)
        case let .number(number): String(number)
        case let .bool(flag): flag ? "true" : "false"
        case .null: "null"
        case .array, .object: "<object>"
        }
    }
}
