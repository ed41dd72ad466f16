import Foundation
@testable import KilnCache
import KilnCore
import KilnTestSupport
import Testing

/// `kiln adopt` stores existing files as answers marked adopted; entries written before the mark
/// existed must still be read, as what they were.
@Suite struct AdoptedEntryTests {
    let cache = ResultCache(directory: TemporaryFolder.make("kiln-adopted"))
    let step = TestSteps.generate("g")
    let image = TestPNG.make(width: 8, height: 8, alpha: true, seed: 3)

    @Test func anAdoptedAnswerComesBackMarkedWithNoRequestUsageOrCost() throws {
        try cache.store(key: step.cacheKey, step: step, images: [image], usage: nil, requestID: nil, resolved: [:],
                        layout: .inline, adopted: .init(from: ["outputs/g.png"]))
        let hit = try #require(try cache.lookup(step.cacheKey))
        #expect(hit.images == [image])
        #expect(hit.record.adopted == CacheRecord.Adoption(from: ["outputs/g.png"]))
        #expect(hit.record.requestID == nil && hit.record.usage == nil && hit.record.costUSD == nil)
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: cache.entryPath(step.cacheKey))), as: UTF8.self)
        #expect(text.contains("\"adopted\" : {\n    \"from\" : [\n      \"outputs/g.png\"\n    ]\n  }"), "\(text)")
        // The record alone, as `plan --explain` reads it: the images are not needed.
        #expect(cache.record(for: step.cacheKey)?.adopted?.from == ["outputs/g.png"])
        #expect(cache.record(for: Digest.sha256("never stored")) == nil)
    }

    @Test func aPaidAnswerIsNotMarkedAdopted() throws {
        try cache.store(key: step.cacheKey, step: step, images: [image], usage: nil, requestID: "req-1", resolved: [:])
        #expect(try cache.lookup(step.cacheKey)?.record.adopted == nil)
        #expect(cache.record(for: step.cacheKey)?.requestID == "req-1")
    }

    /// An entry as Kiln wrote it before `adopted` existed (same format 4): a hit, not adopted.
    @Test func anEntryWrittenBeforeTheMarkExistedIsStillAHit() throws {
        let digest = Digest.sha256(image)
        let json = """
        {
          "cache_key" : "\(step.cacheKey)",
          "cost_usd" : 0.04,
          "created" : "2026-01-02T03:04:05Z",
          "images" : [
            {
              "bytes" : \(image.count),
              "format" : "png",
              "sha256" : "\(digest)"
            }
          ],
          "kind" : "generate",
          "model" : "gpt-image-1",
          "provider" : "scripted",
          "request_id" : "req-old",
          "resolved" : {

          },
          "step" : "\(step.id)",
          "version" : 4
        }
        """
        let blob = cache.store.path(for: .blob(sha256: digest))
        for path in [blob, cache.entryPath(step.cacheKey)] {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
        }
        try image.write(to: URL(fileURLWithPath: blob))
        try (Data("kiln-cache-entry 4 \(json.utf8.count)\n".utf8) + Data(json.utf8))
            .write(to: URL(fileURLWithPath: cache.entryPath(step.cacheKey)))
        let hit = try #require(try cache.lookup(step.cacheKey))
        #expect(hit.images == [image] && hit.record.requestID == "req-old" && hit.record.costUSD == 0.04)
        #expect(hit.record.adopted == nil)
    }
}
