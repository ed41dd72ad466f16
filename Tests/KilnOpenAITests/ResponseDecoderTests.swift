import Foundation
import KilnCore
@testable import KilnOpenAI
import Testing

/// The hand-written `ImagesResponse` reader: what the live service sends, what other servers in
/// front of it may send (escaped slashes, extra keys, nulls), and bodies that must be retried.
@Suite struct ResponseDecoderTests {
    let png = TinyImageSamples.png(width: 4, height: 3)
    var b64: String { png.base64EncodedString() }

    func decode(_ json: String) throws -> ProviderResponse {
        try ImagesResponseDecoder.decode(Data(json.utf8), requestID: "req_1")
    }

    @Test func theLiveShapeWithUsageAndTwoImages() throws {
        let response = try decode("""
        {"created": 1764000000, "background": "opaque", "output_format": "png", "size": "1024x1024",
         "quality": "low", "data": [{"b64_json": "\(b64)"}, {"b64_json": "\(b64)", "revised_prompt": null}],
         "usage": {"input_tokens": 50, "output_tokens": 272, "total_tokens": 322,
                   "input_tokens_details": {"text_tokens": 40, "image_tokens": 10},
                   "output_tokens_details": {"image_tokens": 272}}}
        """)
        #expect(response.images == [png, png])
        #expect(response.resolved == ["background": "opaque", "output_format": "png", "size": "1024x1024", "quality": "low"])
        #expect(response.usage == Usage(inputTokens: 50, outputTokens: 272, totalTokens: 322,
                                        inputTextTokens: 40, inputImageTokens: 10))
        #expect(response.requestID == "req_1")
    }

    @Test func escapedSlashesUnknownKeysAndNullsAreRead() throws {
        let escaped = b64.replacingOccurrences(of: "/", with: "\\/")
        let response = try decode("""
        {"data": [{"url": null, "b64_json": "\(escaped)", "extra": {"nested": [1, 2.5e3, true, "x"]}}],
         "size": null, "usage": null, "future_field": [{"a": {}}]}
        """)
        #expect(response.images == [png])
        #expect(response.resolved.isEmpty && response.usage == nil)
    }

    /// The same body fed as the network may cut it: in pieces of every size from 1 byte, so every
    /// boundary falls inside a key, an escape, a base64 group and its padding somewhere.
    func decodeInPieces(_ json: String, size: Int) throws -> ProviderResponse {
        let body = Array(json.utf8)
        var stream = ImagesResponseStream(expectedBytes: body.count)
        for start in stride(from: 0, to: body.count, by: size) {
            body[start..<min(start + size, body.count)].withUnsafeBytes { stream.feed($0) }
        }
        #expect(stream.byteCount == body.count)
        return try ImagesResponseDecoder.decode(stream, requestID: "req_1")
    }

    @Test func anAnswerCutIntoPiecesOfAnySizeDecodesToTheSameImagesAndDigests() throws {
        let other = TinyImageSamples.png(width: 5, height: 7)
        let escaped = other.base64EncodedString().replacingOccurrences(of: "/", with: "\\/")
            .replacingOccurrences(of: "+", with: "\\u002B")
        let json = """
        {"created": 1, "data": [{"revised_prompt": "a \\"b64_json\\": \\"x\\"", "b64_json": "\(b64)"},
         {"b64_json" :  "\(escaped)"}], "size": "1024x1024", "usage": {"input_tokens": 1, "output_tokens": 2}}
        """
        for size in [1, 2, 3, 4, 5, 7, 11, 64, 4096] {
            let response = try decodeInPieces(json, size: size)
            #expect(response.images == [png, other], "pieces of \(size)")
            #expect(response.digests == [Digest.sha256(png), Digest.sha256(other)], "pieces of \(size)")
            #expect(response.resolved == ["size": "1024x1024"])
            #expect(response.usage?.outputTokens == 2)
        }
    }

    func base64(_ text: String) -> (image: Data, sha256: String)? {
        var stream = Base64Stream(expectedBytes: 0)
        for byte in text.utf8 { stream.feed(byte) }   // one letter at a time: every boundary
        return stream.finish()
    }

    /// Every tail a base64 text can end with, padded or not (checked against Foundation's encoder),
    /// and text that is not base64 or padded wrongly.
    @Test func paddingAndTailsMatchFoundation() {
        for count in 0..<8 {
            let bytes = Data((0..<count).map { UInt8($0 * 37 % 256) })
            let padded = bytes.base64EncodedString()
            #expect(base64(padded)?.image == bytes, "\(padded)")
            #expect(base64(padded)?.sha256 == Digest.sha256(bytes), "\(padded)")
            let unpadded = String(padded.prefix { $0 != "=" })
            #expect(base64(unpadded)?.image == bytes, "\(unpadded)")
        }
        for invalid in ["A", "AAAAA", "A===", "AA=", "AA===", "AAA==", "=AAA", "AA==AA==", "AAA=A", "AA AA", "AA\nAA", "AA-_"] {
            #expect(base64(invalid) == nil, "\(invalid)")
        }
    }

    @Test(arguments: [
        ("{\"data\": [{\"b64_json\": \"QUJD", "not a complete ImagesResponse"),
        ("{\"data\": [{\"b64_json\": \"QUJD\\", "not a complete ImagesResponse"),
        ("{\"data\": [{\"b64_json\": \"QU\\nJD\"}]}", "image 1 has no valid b64_json"),
        ("{\"data\": [{\"b64_json\": \"QU JD\"}]}", "image 1 has no valid b64_json"),
        ("{\"data\": [{\"b64_json\": \"Q===\"}]}", "image 1 has no valid b64_json"),
        ("{\"data\": [{\"b64_json\": 5}]}", "not a complete ImagesResponse"),
        ("{\"data\": [{\"b64_json\": \"QUJD\"}], \"x\": \"b64_json\"}", "image 1 is not a PNG"),
        ("{\"data\": []}", "carries no image"),
        ("{\"data\": [{\"url\": \"https://x\"}]}", "image 1 has no valid b64_json"),
        ("{\"data\": [{\"b64_json\": \"@@@@\"}]}", "image 1 has no valid b64_json"),
        ("{\"data\": [{\"b64_json\": \"QUJD\"}]}", "image 1 is not a PNG"),
        ("{\"data\": [], \"usage\": {\"input_tokens\": 1}}", "not a complete ImagesResponse"),
        ("{\"size\": 5, \"data\": []}", "not a complete ImagesResponse"),
        ("{\"data\": []} trailing", "not a complete ImagesResponse"),
        ("[]", "not a complete ImagesResponse"),
    ])
    func bodiesThatCannotBeUsedAreRetried(_ body: String, _ reason: String) {
        do {
            _ = try decode(body)
            Issue.record("decoded \(body)")
        } catch let error as ImagesResponseDecoder.Undecodable {
            #expect(error.reason.contains(reason), "\(error.reason)")
        } catch {
            Issue.record("\(error)")
        }
    }
}
