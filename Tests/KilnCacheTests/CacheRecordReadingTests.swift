import Foundation
@testable import KilnCache
import KilnCore
import Testing

/// The hand reader of cache records (`CacheRecord.read(json:)`): it reads what Kiln writes, and for
/// any bytes at all answers what `JSONDecoder` answers (the same record, or nil).
@Suite struct CacheRecordReadingTests {
    static func sample(usage: Usage? = Usage(inputTokens: 12, outputTokens: 272, inputTextTokens: 12, inputImageTokens: 0),
                       cost: Double? = 0.008714, adopted: CacheRecord.Adoption? = nil, images: Int = 2) -> CacheRecord {
        let step = StepID(parsing: "stickers/corgi@happy-sunny/generate")!
        let list = (0..<images).map {
            CacheRecord.Image(sha256: String(repeating: String($0), count: 64), bytes: 1_804_595 + $0, format: $0 == 1 ? nil : .png)
        }
        return CacheRecord(cacheKey: String(repeating: "ab", count: 32), step: step, kind: .generate, provider: "openai",
                           model: "gpt-image-1.5", usage: usage, requestID: "req_123", costUSD: cost,
                           resolved: ["size": "1024x1024", "quality": "low", "background": "opaque"], images: list,
                           created: Date(timeIntervalSince1970: 1_764_900_000), adopted: adopted)
    }

    static let samples: [CacheRecord] = [
        sample(),
        sample(usage: nil, cost: nil),
        sample(usage: Usage(inputTokens: 1, outputTokens: 2), cost: 0),
        sample(adopted: .init(from: ["art/corgi.png", "art/ünïcödé 🐶.png"]), images: 1),
        sample(cost: 1e-7, images: 0),
        sample(cost: 123_456.789),
    ]

    func decoder(_ json: Data) -> CacheRecord? {
        try? JSONDecoder().decode(CacheRecord.self, from: json)
    }

    @Test func readsEveryRecordKilnWritesByHand() throws {
        for (i, record) in Self.samples.enumerated() {
            let json = record.encoded()
            let byHand = json.withUnsafeBytes { try? CacheRecord.readByHand($0) }
            #expect(byHand == record, "sample \(i): \(String(decoding: json, as: UTF8.self))")
            #expect(byHand == decoder(json), "the same as JSONDecoder")
            #expect(CacheRecord.read(json: json) == record)
        }
        // Written compact, members in another order, a number in another form: still by hand.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let compact = try encoder.encode(Self.samples[0])
        #expect(try compact.withUnsafeBytes { try CacheRecord.readByHand($0) } == Self.samples[0])
        let exponent = Data(String(decoding: Self.samples[0].encoded(), as: UTF8.self)
            .replacingOccurrences(of: "\"cost_usd\" : 0.008714", with: "\"cost_usd\" : 8.714E-3").utf8)
        #expect(try exponent.withUnsafeBytes { try CacheRecord.readByHand($0) } == Self.samples[0])
        #expect(decoder(exponent) == Self.samples[0])
    }

    /// What `JSONDecoder` takes that the hand reader leaves to it, read the same way through `read`.
    @Test func leavesToJSONDecoderWhatItIsNotSureOf() throws {
        let json = String(decoding: Self.samples[0].encoded(), as: UTF8.self)
        let cases = [
            json.replacingOccurrences(of: "\"req_123\"", with: "\"req_\\u0031\\n23\""),   // escapes
            json.replacingOccurrences(of: "\"version\" : 4", with: "\"version\" : 4, \"later\" : [1, {\"a\": null}]"),
        ]
        for text in cases {
            let data = Data(text.utf8)
            #expect(throws: (any Error).self, "\(text)") { try data.withUnsafeBytes { try CacheRecord.readByHand($0) } }
            #expect(CacheRecord.read(json: data) == decoder(data), "\(text)")
            #expect(decoder(data) != nil, "a case JSONDecoder takes")
        }
    }

    /// The whole class of damaged or hostile records: whatever the bytes, `read` and `JSONDecoder`
    /// agree. Every cut of the record, every byte replaced by each of a few troublesome ones, and
    /// numbers and shapes JSON or the record's types do not allow.
    @Test func answersWhatJSONDecoderAnswersForAnyBytes() {
        var inputs = [Data]()
        for record in Self.samples.prefix(4) {
            let json = [UInt8](record.encoded())
            for cut in stride(from: 0, to: json.count, by: 3) { inputs.append(Data(json[..<cut])) }
            for at in json.indices {
                for byte: UInt8 in [0x30, 0x22, 0x5C, 0x7D, 0xFF, 0x2D, 0x65, 0x2E, 0x00, 0x20] where json[at] != byte {
                    var damaged = json
                    damaged[at] = byte
                    inputs.append(Data(damaged))
                }
            }
        }
        let json = String(decoding: Self.samples[0].encoded(), as: UTF8.self)
        let swaps = [
            ("\"bytes\" : 1804595", "\"bytes\" : 01804595"), ("\"bytes\" : 1804595", "\"bytes\" : -0"),
            ("\"bytes\" : 1804595", "\"bytes\" : 1804595.0"), ("\"bytes\" : 1804595", "\"bytes\" : 1e6"),
            ("\"bytes\" : 1804595", "\"bytes\" : 99999999999999999999"), ("\"bytes\" : 1804595", "\"bytes\" : null"),
            ("\"bytes\" : 1804595", "\"bytes\" : \"1804595\""), ("\"version\" : 4", "\"version\" : 4, \"version\" : 3"),
            ("\"version\" : 4", "\"version\" : 4.5"), ("\"cost_usd\" : 0.008714", "\"cost_usd\" : .5"),
            ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 1e400"), ("\"cost_usd\" : 0.008714", "\"cost_usd\" : -1"),
            ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 0.1000000000000000055511151231257827"),
            ("\"cost_usd\" : 0.008714", "\"cost_usd\" : +1"), ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 1."),
            ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 1e-400"), ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 2e-324"),
            ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 0.000e-999"), ("\"cost_usd\" : 0.008714", "\"cost_usd\" : -0.0"),
            ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 1e-310"), ("\"cost_usd\" : 0.008714", "\"cost_usd\" : 1.7976931348623159e308"),
            ("\"kind\" : \"generate\"", "\"kind\" : \"paint\""), ("\"format\" : \"png\"", "\"format\" : \"gif\""),
            ("\"format\" : \"png\"", "\"format\" : null"), ("\"step\" : \"stickers", "\"step\" : \"/stickers"),
            ("\"model\" : \"gpt-image-1.5\"", "\"model\" : null"), ("\"model\" : \"gpt-image-1.5\"", "\"model\" : 5"),
            ("\"size\" : \"1024x1024\"", "\"size\" : \"1024x1024\", \"size\" : \"auto\""),
            ("\"resolved\" : {", "\"resolved\" : {\"n\": 1, "), ("\"usage\" : {", "\"usage\" : {\"input_tokens\": 5, "),
            ("\"input_text_tokens\" : 12", "\"input_text_tokens\" : null"), ("\"total_tokens\" : 284", "\"total_tokens\" : null"),
            ("\"created\"", "\"Created\""), ("{", "[{"), ("\"images\" : [", "\"images\" : [1, "),
        ]
        for (from, to) in swaps {
            #expect(json.contains(from), "the sample has \(from)")
            inputs.append(Data(json.replacingOccurrences(of: from, with: to).utf8))
        }
        inputs += [Data(), Data("null".utf8), Data((json + " x").utf8), Data((json + " \n\t").utf8), Data((" " + json).utf8),
                   Data(json.utf8) + Data([0xC3]), Data(json.replacingOccurrences(of: "req_123", with: "req_\u{7F}").utf8)]
        var disagreements = [String]()
        for input in inputs where CacheRecord.read(json: input) != decoder(input) {
            disagreements.append(String(decoding: input, as: UTF8.self))
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) of \(inputs.count) inputs read otherwise than JSONDecoder reads them: \(disagreements.prefix(3))")
        #expect(inputs.count > 5_000)
    }
}
