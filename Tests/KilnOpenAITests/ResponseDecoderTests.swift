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

    @Test(arguments: [
        ("{\"data\": [{\"b64_json\": \"QUJD", "not a complete ImagesResponse"),
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
