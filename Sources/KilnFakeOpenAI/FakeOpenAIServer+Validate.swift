import Foundation
import KilnCore
import NIOCore

extension FakeOpenAIServer {
    /// A JSON object's fields as text: strings as-is, numbers and booleans as their JSON spelling.
    static func jsonFields(_ body: ByteBuffer) throws(FakeAPIError) -> [(name: String, value: String)] {
        let data = Data(body.readableBytesView)
        guard let object = try? JSONDecoder().decode([String: JSONScalar].self, from: data) else {
            throw .invalid("body", "We could not parse the JSON body of your request.", code: "invalid_json")
        }
        return object.keys.sorted().map { ($0, object[$0]?.text ?? "") }
    }

    static func validateGeneration(_ fields: [(name: String, value: String)]) throws(FakeAPIError) -> FakeImageRequest {
        for field in fields where !FakeImageRequest.generationFields.contains(field.name) {
            throw .unknown(field.name)
        }
        return try FakeImageRequest(fields: dictionary(fields), inputImages: 0, isEdit: false)
    }

    static func validateEdit(form: FakeMultipartForm?, fields: [(name: String, value: String)])
        throws(FakeAPIError) -> FakeImageRequest {
        guard let form else { throw .invalid("body", "Expected multipart/form-data.") }
        for field in fields where !FakeImageRequest.editTextFields.contains(field.name) {
            throw .unknown(field.name)
        }
        var images: [FakeMultipartForm.Part] = []
        var mask: FakeMultipartForm.Part?
        for part in form.parts where part.filename != nil || ["image", "image[]", "mask"].contains(part.name) {
            guard ["image", "image[]", "mask"].contains(part.name) else { throw .unknown(part.name) }
            let type = (part.contentType ?? "").lowercased()
            guard ["image/png", "image/jpeg", "image/webp"].contains(type) else {
                throw .invalid(part.name, "Invalid file '\(part.name)': unsupported mimetype ('\(type)'). Supported "
                    + "file formats are 'image/jpeg', 'image/png', and 'image/webp'.", code: "unsupported_file_mimetype")
            }
            guard ImageDimensions(part.body) != nil else {
                throw .invalid(part.name, "Invalid image file or mode for image '\(part.filename ?? part.name)'.",
                               code: "invalid_image_file")
            }
            if part.name == "mask" { mask = part } else { images.append(part) }
        }
        guard !images.isEmpty else {
            throw .invalid("image", "Missing required parameter: 'image'.", code: "missing_required_parameter")
        }
        guard images.count <= 16 else { throw .invalid("image", "At most 16 images may be provided.") }
        if let mask {
            guard mask.body.count < 4 * 1024 * 1024 else {
                throw .invalid("mask", "Invalid mask image - the mask must be a PNG file less than 4MB.",
                               code: "invalid_image_file")
            }
            guard ImageFormat(sniffing: mask.body) == .png, let info = ImageDimensions(mask.body), info.hasAlpha else {
                throw .invalid("mask", "Invalid mask image format - mask image missing alpha channel",
                               code: "invalid_image_format")
            }
            let first = ImageDimensions(images[0].body)
            guard first?.width == info.width, first?.height == info.height else {
                throw .invalid("mask", "Invalid mask image format - mask size does not match image size",
                               code: "invalid_image_format")
            }
        }
        var request = try FakeImageRequest(fields: dictionary(fields), inputImages: images.count, isEdit: true)
        if request.sizeIsAuto, let first = ImageDimensions(images[0].body) {
            (request.width, request.height) = (first.width, first.height)
        }
        return request
    }

    private static func dictionary(_ fields: [(name: String, value: String)]) -> [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// The error answer a scripted fault stands for (nil for faults that shape a 200).
    static func error(for fault: FakeFault) -> FakeAPIError? {
        switch fault {
        case let .rateLimited(retryAfter, retryAfterMs):
            var headers: [String: String] = [:]
            headers["retry-after"] = retryAfter
            headers["retry-after-ms"] = retryAfterMs
            return FakeAPIError(status: 429, message: "Rate limit reached for images per minute. Please try again later.",
                                type: "requests", code: "rate_limit_exceeded", headers: headers)
        case let .insufficientQuota(credit):
            return FakeAPIError(status: 429, message: "You exceeded your current quota, please check your plan and "
                + "billing details.", type: "insufficient_quota",
                code: credit ? "credit_balance_exhausted" : "insufficient_quota")
        case let .serverError(status):
            return FakeAPIError(status: status, message: status == 503 ? "The server is overloaded." : "The server had an error.",
                                type: "server_error", code: status == 503 ? "server_is_overloaded" : "server_error")
        case .moderationBlocked:
            return FakeAPIError(status: 400, message: "Your request was rejected by the safety system. If you believe "
                + "this is an error, contact us at help.openai.com and include the request ID.",
                type: "image_generation_user_error", code: "moderation_blocked")
        case let .status(status, type, code, message, headers):
            return FakeAPIError(status: status, message: message, type: type, code: code, headers: headers)
        case .truncatedBody, .badBase64, .delay, .rateLimitHeaders, .connectionReset:
            return nil
        }
    }
}

/// A JSON value as text: Bool before numbers, so `true` stays `true` and `1` stays `1`.
struct JSONScalar: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            text = bool ? "true" : "false"
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else if let double = try? container.decode(Double.self) {
            text = String(double)
        } else if let string = try? container.decode(String.self) {
            text = string
        } else if container.decodeNil() {
            text = "null"
        } else {
            text = "<object>"
        }
    }
}
