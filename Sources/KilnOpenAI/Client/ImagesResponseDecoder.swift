import Foundation
import KilnCore

/// Decodes an `ImagesResponse` (`{created, data: [{b64_json}], background, output_format, size, quality, usage}`).
///
/// One pass over the body with the JSON layer's byte reader: each `b64_json` is base64-decoded
/// straight from the body's bytes (no `String` of 2.4 MB per image, no general JSON decode), and
/// keys it does not know are skipped, as `JSONDecoder` would.
struct ImagesResponseDecoder {
    /// Why a 200 could not be used; such an answer is retried (it was likely cut short).
    struct Undecodable: Error { var reason: String }

    /// The images and what to record, or `Undecodable` when the body is truncated, not JSON,
    /// carries no image, bad base64, or bytes that are not an image.
    static func decode(_ body: Data, requestID: String?) throws -> ProviderResponse {
        try body.withUnsafeBytes { try decode($0, requestID: requestID) }
    }

    /// `decode` of bytes where they lie (the HTTP client's buffer: no copy of the body first).
    static func decode(_ body: UnsafeRawBufferPointer, requestID: String?) throws -> ProviderResponse {
        var parsed: Parsed
        do {
            var reader = JSONReader(body)
            parsed = Parsed()
            try parsed.read(&reader, body: body)
            reader.skipWhitespace()
            guard reader.position == body.count else { throw reader.error("text after the response") }
        } catch let error as Undecodable {
            throw error
        } catch {
            throw Undecodable(reason: "the response body is not a complete ImagesResponse (\(body.count) bytes)")
        }
        guard !parsed.images.isEmpty else { throw Undecodable(reason: "the response carries no image") }
        for (index, data) in parsed.images.enumerated() where ImageFormat(sniffing: data) == nil {
            throw Undecodable(reason: "image \(index + 1) is not a PNG, JPEG or WebP")
        }
        return ProviderResponse(images: parsed.images, usage: parsed.usage, requestID: requestID,
                                resolved: parsed.resolved)
    }

    /// What the body holds, filled as the reader walks it.
    private struct Parsed {
        var images: [Data] = []
        var resolved: [String: String] = [:]
        var usage: Usage?

        mutating func read(_ reader: inout JSONReader, body: UnsafeRawBufferPointer) throws {
            try reader.object { key, reader in
                switch key {
                case "data":
                    guard try !reader.null() else { return }
                    try reader.array { reader in try image(&reader, body: body) }
                case "background", "output_format", "size", "quality":
                    if try !reader.null() { resolved[key] = try reader.string() }
                case "usage":
                    if try !reader.null() { usage = try Self.usage(&reader) }
                default:
                    try reader.skipValue()
                }
            }
        }

        /// One `data` item: its `b64_json` decoded in place (`url` answers are not used by GPT image
        /// models and carry no image here).
        private mutating func image(_ reader: inout JSONReader, body: UnsafeRawBufferPointer) throws {
            let index = images.count
            var found: Data?
            try reader.object { key, reader in
                guard key == "b64_json", try !reader.null() else { return try reader.skipValue() }
                if let range = try reader.rawString() {
                    // The text is read where it lies in the body (no 2.4 MB copy first); the
                    // wrapper never outlives this call.
                    let text = UnsafeRawBufferPointer(rebasing: body[range])
                    found = text.isEmpty ? Data() : Data(base64Encoded: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: text.baseAddress!),
                                                                          count: text.count, deallocator: .none))
                } else {
                    found = Data(base64Encoded: try reader.string())  // `\/` and other escapes undone
                }
                if found == nil { throw Undecodable(reason: "image \(index + 1) has no valid b64_json") }
            }
            guard let found else { throw Undecodable(reason: "image \(index + 1) has no valid b64_json") }
            images.append(found)
        }

        private static func usage(_ reader: inout JSONReader) throws -> Usage {
            var input: Int?, output: Int?, total: Int?, text: Int?, image: Int?
            try reader.object { key, reader in
                switch key {
                case "input_tokens": input = try reader.integer()
                case "output_tokens": output = try reader.integer()
                case "total_tokens": total = try reader.null() ? nil : try reader.integer()
                case "input_tokens_details":
                    guard try !reader.null() else { return }
                    try reader.object { key, reader in
                        switch key {
                        case "text_tokens": text = try reader.null() ? nil : try reader.integer()
                        case "image_tokens": image = try reader.null() ? nil : try reader.integer()
                        default: try reader.skipValue()
                        }
                    }
                default: try reader.skipValue()
                }
            }
            guard let input, let output else { throw reader.error("usage without input_tokens and output_tokens") }
            return Usage(inputTokens: input, outputTokens: output, totalTokens: total,
                         inputTextTokens: text, inputImageTokens: image)
        }
    }
}
