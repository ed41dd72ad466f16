import Foundation
import KilnCore
@testable import KilnOutputs
import Testing

/// `File.encodedEntry()` is written by hand for speed; it must give exactly the bytes of the
/// canonical `JSONEncoder` encoding, whatever the file holds.
@Suite struct ManifestEntryEncodingTests {
    func file(prompt: String? = nil, usd: Double = 0, full: Bool) -> OutputManifest.File {
        let id = StepID(pipeline: "p", asset: "a", variant: full ? "v10" : nil, step: "s")
        return OutputManifest.File(
            path: "dir/x.png", step: id, asset: "p/a", variant: full ? "v10" : nil,
            variantValues: full ? ["b": "2", "a": "1", "v10": "x", "v9": "y", "é": "z", "_u": "q"] : [:],
            index: full ? 3 : 0, sha256: String(repeating: "ab", count: 32), bytes: 123_456, width: 1024, height: 768,
            format: .webp, alpha: full, kind: full ? .edit : .derive, provider: full ? "openai" : nil,
            model: full ? "gpt-image-1.5" : nil, prompt: prompt,
            parameters: full ? ImageParameters(size: .fixed(width: 1536, height: 1024), quality: .high, background: .transparent,
                                               format: .webp, compression: 70, moderation: .low, n: 2, inputFidelity: .high,
                                               user: "team \"a\"") : nil,
            derive: full ? DeriveOperations(crop: CropSpec(x: 4, y: nil, width: 100, height: 50),
                                            resize: ResizeSpec(width: 64, height: nil, fit: .cover, upscale: true),
                                            pad: Insets(top: 1, right: 2, bottom: 3, left: 4), background: RGBAColor("#ff000080"),
                                            format: .jpeg, quality: 85, strip: false) : nil,
            resolved: full ? ["size": "1024x1024", "quality": "high"] : nil, cacheKey: String(repeating: "0f", count: 32),
            usage: full ? UsageRecord(Usage(inputTokens: 10, outputTokens: 20, inputTextTokens: 3, inputImageTokens: 7)) : nil,
            cost: .init(usd: usd, basis: full ? .actual : .none), requestID: full ? "req_123" : nil,
            durationMS: full ? 42 : nil, fromCache: full, adopted: full ? true : nil)
    }

    func expectCanonical(_ file: OutputManifest.File, _ comment: Comment? = nil) throws {
        let canonical = try CanonicalJSON.encode(file, pretty: true)
        let hand = try file.encodedEntry()
        #expect(hand == canonical, comment ?? "")
        if hand != canonical {
            Issue.record("hand:\n\(String(decoding: hand, as: UTF8.self))\ncanonical:\n\(String(decoding: canonical, as: UTF8.self))")
        }
    }

    @Test func everyFieldSetAndNoneSetEncodeAsJSONEncoderDoes() throws {
        try expectCanonical(file(prompt: "a \"fox\" \\ on /snow/\n\ttabbed \u{1}\u{1b} é 🦊 \u{7f}", usd: 0.16646, full: true))
        try expectCanonical(file(full: false))
    }

    @Test func costsPrintAsJSONEncoderPrintsThem() throws {
        for usd in [0, 1, 0.01, 1e-05, 0.1 + 0.2, 12.5, 123456789.125, 2.5e-07, 1e21] {
            try expectCanonical(file(usd: usd, full: true), "usd \(usd)")
        }
    }

    @Test func everyStoredFieldIsWritten() {
        // A field added to File must get a line in encodedEntry (and this count raised).
        #expect(Mirror(reflecting: file(full: true)).children.count == OutputManifest.File.fieldsWritten)
    }
}
