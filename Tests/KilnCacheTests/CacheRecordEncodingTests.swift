import Foundation
@testable import KilnCache
import KilnCore
import Testing

/// `CacheRecord.encoded()` is written by hand for speed; it must give the canonical encoding.
@Suite struct CacheRecordEncodingTests {
    @Test func aRecordIsStoredAsTheCanonicalEncodingAndReadsBack() throws {
        let step = PlannedStep(id: StepID(pipeline: "p", asset: "a", variant: "v", step: "s"), kind: .edit,
                               provider: "openai", model: "gpt-image-1.5", cacheKey: String(repeating: "ab", count: 32))
        let full = CacheRecord(cacheKey: step.cacheKey, step: step.id, kind: .edit, provider: "openai", model: "gpt-image-1.5",
                               usage: Usage(inputTokens: 5, outputTokens: 9, inputTextTokens: 2, inputImageTokens: 3),
                               requestID: "req_\"1\"", costUSD: 0.30000000000000004, resolved: ["size": "1024x1024", "b": "c"],
                               images: [.init(sha256: String(repeating: "0", count: 64), bytes: 10, format: .png),
                                        .init(sha256: String(repeating: "1", count: 64), bytes: 11, format: nil)])
        let bare = CacheRecord(cacheKey: step.cacheKey, step: step.id, kind: .derive, provider: nil, model: nil, usage: nil,
                               requestID: nil, resolved: [:], images: [])
        let adopted = CacheRecord(cacheKey: step.cacheKey, step: step.id, kind: .generate, provider: "openai",
                                  model: "gpt-image-1.5", usage: nil, requestID: nil, resolved: [:],
                                  images: [.init(sha256: String(repeating: "2", count: 64), bytes: 12, format: .png)],
                                  adopted: .init(from: ["outputs/icons/a \"b\".png", "art/c.png"]))
        for record in [full, bare, adopted] {
            #expect(record.encoded() == (try CanonicalJSON.encode(record, pretty: true)))
            #expect(try JSONDecoder().decode(CacheRecord.self, from: record.encoded()) == record)
        }
    }
}

@Test func cacheTimestampsReadAsFoundationWritesThem() {
    for seconds in [0.0, 1_700_000_000.4, 1_796_000_000, 4_102_444_799.9] {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(CacheRecord.utcTimestamp(date) == date.formatted(.iso8601), "\(seconds)")
    }
}
