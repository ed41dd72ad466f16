import Foundation
import KilnCore

/// Decodes an `ImagesResponse` (`{created, data: [{b64_json}], background, output_format, size, quality, usage}`).
///
/// The images' text is decoded and hashed while the body arrives (`ImagesResponseStream`); what
/// is left, a small skeleton, is read here with the JSON layer's byte reader: keys it does not
/// know are skipped, as `JSONDecoder` would.
struct ImagesResponseDecoder {
    /// Why a 200 could not be used; such an answer is retried (it was likely cut short).
    struct Undecodable: Error { var reason: String }

    /// The images and what to record, or `Undecodable` when the body is truncated, not JSON,
    /// carries no image, bad base64, or bytes that are not an image.
    static func decode(_ body: Data, requestID: String?) throws -> ProviderResponse {
        var stream = ImagesResponseStream(expectedBytes: body.count)
        body.withUnsafeBytes { stream.feed($0) }
        return try decode(stream, requestID: requestID)
    }

    /// `decode` of a body that was fed to `stream` as it arrived.
    static func decode(_ stream: ImagesResponseStream, requestID: String?) throws -> ProviderResponse {
        let incomplete = Undecodable(reason: "the response body is not a complete ImagesResponse (\(stream.byteCount) bytes)")
        guard !stream.isCutShort else { throw incomplete }
        var parsed: Parsed?
        do {
            try stream.skeleton.withUnsafeBytes { skeleton in
                var reader = JSONReader(skeleton)
                parsed = try read(&reader, streamed: stream.images)
                reader.skipWhitespace()
                guard reader.position == skeleton.count else { throw reader.error("text after the response") }
            }
        } catch let error as Undecodable {
            throw error
        } catch {
            throw incomplete
        }
        guard let parsed else { throw incomplete }
        return try response(parsed, requestID: requestID)
    }

    /// Reads one `ImagesResponse` object at `reader` (the `body` of a batch output line), whose
    /// images `streamed` holds: at least one image, each a PNG, JPEG or WebP.
    /// - Throws: `Undecodable`, or the reader's syntax error.
    static func body(_ reader: inout JSONReader, streamed: [(image: Data, sha256: String)?],
                     requestID: String?) throws -> ProviderResponse {
        try response(try read(&reader, streamed: streamed), requestID: requestID)
    }

    private static func read(_ reader: inout JSONReader, streamed: [(image: Data, sha256: String)?]) throws -> Parsed {
        var parsed = Parsed(streamed: streamed)
        try parsed.read(&reader)
        return parsed
    }

    /// The answer, once the body is known to be whole: at least one image, each a PNG, JPEG or WebP.
    private static func response(_ parsed: Parsed, requestID: String?) throws -> ProviderResponse {
        guard !parsed.images.isEmpty else { throw Undecodable(reason: "the response carries no image") }
        for (index, image) in parsed.images.enumerated() where ImageFormat(sniffing: image.image) == nil {
            throw Undecodable(reason: "image \(index + 1) is not a PNG, JPEG or WebP")
        }
        return ProviderResponse(images: parsed.images.map(\.image), digests: parsed.images.map(\.sha256),
                                usage: parsed.usage, requestID: requestID, resolved: parsed.resolved)
    }

    /// What the body holds, filled as the reader walks it.
    private struct Parsed {
        /// The images the stream decoded, which the skeleton names as `"#0"`, `"#1"`…
        let streamed: [(image: Data, sha256: String)?]
        var images: [(image: Data, sha256: String)] = []
        var resolved: [String: String] = [:]
        var usage: Usage?

        init(streamed: [(image: Data, sha256: String)?]) {
            self.streamed = streamed
        }

        mutating func read(_ reader: inout JSONReader) throws {
            try reader.object { key, reader in
                switch key {
                case "data":
                    guard try !reader.null() else { return }
                    try reader.array { reader in try image(&reader) }
                case "background", "output_format", "size", "quality":
                    if try !reader.null() { resolved[key] = try reader.string() }
                case "usage":
                    if try !reader.null() { usage = try Self.usage(&reader) }
                default:
                    try reader.skipValue()
                }
            }
        }

        /// One `data` item: its `b64_json`, decoded by the stream (`url` answers are not used by GPT
        /// image models and carry no image here).
        private mutating func image(_ reader: inout JSONReader) throws {
            let index = images.count
            var found: (image: Data, sha256: String)?
            try reader.object { key, reader in
                guard key == "b64_json", try !reader.null() else { return try reader.skipValue() }
                let text = try reader.string()
                if text.hasPrefix("#"), let k = Int(text.dropFirst()), streamed.indices.contains(k) {
                    found = streamed[k]
                } else if let data = Data(base64Encoded: text) {
                    found = (data, Digest.sha256(data))   // a key spelled with escapes: not streamed
                } else {
                    found = nil
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
