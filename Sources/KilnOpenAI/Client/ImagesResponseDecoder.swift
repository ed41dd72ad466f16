import Foundation
import KilnCore

/// Decodes an `ImagesResponse` (`{created, data: [{b64_json}], background, output_format, size, quality, usage}`).
struct ImagesResponseDecoder {
    struct Wire: Decodable {
        struct Item: Decodable { var b64_json: String? }
        struct WireUsage: Decodable {
            struct Details: Decodable { var text_tokens: Int?; var image_tokens: Int? }
            var input_tokens: Int
            var output_tokens: Int
            var total_tokens: Int?
            var input_tokens_details: Details?
        }
        var data: [Item]?
        var background: String?
        var output_format: String?
        var size: String?
        var quality: String?
        var usage: WireUsage?
    }

    /// Why a 200 could not be used; such an answer is retried (it was likely cut short).
    struct Undecodable: Error { var reason: String }

    /// The images and what to record, or `Undecodable` when the body is truncated, not JSON,
    /// carries no image, bad base64, or bytes that are not an image.
    static func decode(_ body: Data, requestID: String?) throws -> ProviderResponse {
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: body)
        } catch {
            throw Undecodable(reason: "the response body is not a complete ImagesResponse (\(body.count) bytes)")
        }
        var images: [Data] = []
        for (index, item) in (wire.data ?? []).enumerated() {
            guard let text = item.b64_json, let data = Data(base64Encoded: text) else {
                throw Undecodable(reason: "image \(index + 1) has no valid b64_json")
            }
            guard ImageFormat(sniffing: data) != nil else {
                throw Undecodable(reason: "image \(index + 1) is not a PNG, JPEG or WebP")
            }
            images.append(data)
        }
        guard !images.isEmpty else { throw Undecodable(reason: "the response carries no image") }
        var resolved: [String: String] = [:]
        resolved["size"] = wire.size
        resolved["quality"] = wire.quality
        resolved["background"] = wire.background
        resolved["output_format"] = wire.output_format
        let usage = wire.usage.map {
            Usage(inputTokens: $0.input_tokens, outputTokens: $0.output_tokens, totalTokens: $0.total_tokens,
                  inputTextTokens: $0.input_tokens_details?.text_tokens,
                  inputImageTokens: $0.input_tokens_details?.image_tokens)
        }
        return ProviderResponse(images: images, usage: usage, requestID: requestID, resolved: resolved)
    }
}
