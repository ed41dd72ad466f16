import Foundation
import KilnCore
@testable import KilnCache
import KilnTestSupport
import Synchronization
import Testing

private extension Data {
    func followed(by other: Data) -> Data { self + other }
}
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ResultCacheTests {
    let cache = ResultCache(directory: TemporaryFolder.make("kiln-cache"))
    let step = TestSteps.generate("g")
    let a = TestPNG.make(width: 3, height: 2, seed: 1)
    let b = TestPNG.make(width: 2, height: 3, seed: 2)

    func key(_ name: String) -> String { Digest.sha256(name) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    @Test func preparingMakesEveryFanOutFolderOnceAndStoresStillWork() throws {
        cache.prepareFolders()
        let names = try FileManager.default.contentsOfDirectory(atPath: cache.actionsPath).sorted()
        #expect(names.count == 256 && names.first == "00" && names.last == "ff")
        #expect(exists(cache.tmpPath) && !exists(cache.formatTwoObjectsPath), "entry files need no objects folder")
        // Done already: a second call leaves a removed folder alone (a store makes it again).
        try FileManager.default.removeItem(atPath: cache.actionsPath + "/ab")
        cache.prepareFolders()
        #expect(!exists(cache.actionsPath + "/ab"))
        try store(key("k"), [a])
        #expect(try cache.lookup(key("k"))?.images == [a])
    }

    func store(_ key: String, _ images: [Data], requestID: String? = nil) throws {
        try cache.store(key: key, step: step, images: images, usage: nil, requestID: requestID, resolved: [:])
    }

    @Test func aStoredResultComesBackWhole() throws {
        let usage = Usage(inputTokens: 5, outputTokens: 7, totalTokens: 12)
        let stored = try cache.store(key: step.cacheKey, step: step, images: [a, b], usage: usage,
                                     requestID: "req-1", resolved: ["quality": "high"])
        let hit = try #require(try cache.lookup(step.cacheKey))
        #expect(hit.images == [a, b])
        #expect(hit.record == stored.record)
        #expect(hit.record.version == 4 && hit.record.usage?.usage == usage && hit.record.resolved == ["quality": "high"])
        #expect(hit.record.images.map(\.sha256) == [Digest.sha256(a), Digest.sha256(b)])
        #expect(hit.record.images.map(\.bytes) == [a.count, b.count])
        #expect(hit.record.images.first?.format == .png)
        #expect((try? Date(hit.record.created, strategy: .iso8601)) != nil, "created: \(hit.record.created)")
        #expect(hit.record.created.hasSuffix("Z"))
        // The entry: the header line and the record's canonical JSON; each image a read-only blob.
        let entry = try Data(contentsOf: URL(fileURLWithPath: cache.entryPath(step.cacheKey)))
        let json = try CanonicalJSON.encode(hit.record, pretty: true)
        #expect(entry == Data("kiln-cache-entry 4 \(json.count)\n".utf8) + json)
        #expect(cache.entryPath(step.cacheKey).hasSuffix("/actions/\(step.cacheKey.prefix(2))/\(step.cacheKey).entry"))
        let blobs = [a, b].map { cache.store.path(for: .blob(sha256: Digest.sha256($0))) }
        #expect(stored.blobs == blobs && hit.blobs == blobs)
        #expect(try blobs.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == [a, b])
        #expect(blobs.allSatisfy { PosixFile.status($0).map { $0.st_mode & 0o777 } == 0o444 }, "a blob is writable")
        #expect(PosixFile.fanOut(cache.formatTwoObjectsPath).isEmpty, "an entry file wrote objects too")
        #expect(try cache.lookup(key("never stored")) == nil)
    }

    @Test func eachAnswerIsOneEntryAndEachDistinctImageOneBlob() throws {
        try store(key("one"), [a])
        try store(key("two"), [a, b])
        #expect(PosixFile.fanOut(cache.actionsPath).map(\.name).sorted()
            == [key("one") + ".entry", key("two") + ".entry"].sorted())
        #expect(PosixFile.fanOut(cache.store.blobsPath).map(\.name).sorted() == [Digest.sha256(a), Digest.sha256(b)].sorted())
        #expect(cache.hasEntry(key("one")) && !cache.hasEntry(key("three")))
        #expect(try cache.stats() == CacheStats(objects: 2, objectBytes: Int64(a.count + b.count), actions: 2))
    }

    /// Format 3 (before blobs) carried its images in the entry: answers paid for then are still hits.
    @Test func anEntryOfFormatThreeIsStillRead() throws {
        var record = CacheRecord(cacheKey: step.cacheKey, step: step.id, kind: .generate, provider: "openai",
                                 model: "gpt-image-1", usage: nil, requestID: "req-old", resolved: [:],
                                 images: [a, b].map { .init(sha256: Digest.sha256($0), bytes: $0.count, format: .png) })
        record.version = 3
        try FileManager.default.createDirectory(atPath: (cache.entryPath(step.cacheKey) as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try CacheEntryFile.encode(record, images: [a, b]).write(to: URL(fileURLWithPath: cache.entryPath(step.cacheKey)))
        let hit = try #require(try cache.lookup(step.cacheKey))
        #expect(hit.images == [a, b] && hit.record.requestID == "req-old" && hit.blobs == nil)
        #expect(try cache.stats() == CacheStats(objects: 2, objectBytes: Int64(a.count + b.count), actions: 1))
        let report = try cache.collectGarbage(keepDays: 30, keepKeys: [])
        #expect(report.actionsRemoved == 0 && cache.hasEntry(step.cacheKey), "gc removed a recent format-3 entry")
        // Its images are damaged: a miss, and it goes.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: cache.entryPath(step.cacheKey)))
        bytes[bytes.count - 1] ^= 0xff
        try bytes.write(to: URL(fileURLWithPath: cache.entryPath(step.cacheKey)))
        #expect(try cache.lookup(step.cacheKey) == nil && !cache.hasEntry(step.cacheKey))
    }

    @Test(arguments: ["entry's last byte flipped", "entry truncated", "header damaged", "text after the record",
                      "blob changed in place", "blob truncated", "blob missing", "blob replaced by a folder"])
    func aDamagedEntryIsAMissAndIsRemoved(_ damage: String) throws {
        try store(step.cacheKey, [a, b])
        let path = cache.entryPath(step.cacheKey)
        let blob = cache.store.path(for: .blob(sha256: Digest.sha256(b)))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var image = b
        switch damage {
        case "entry's last byte flipped": bytes[bytes.count - 1] ^= 0xff
        case "entry truncated": bytes.removeLast()
        case "header damaged": bytes[3] = UInt8(ascii: "X")
        case "text after the record": bytes.append(contentsOf: b)
        case "blob changed in place": image[image.count - 5] ^= 0xff
        case "blob truncated": image.removeLast()
        default: break
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        if image != b {
            chmod(blob, 0o644)
            try image.write(to: URL(fileURLWithPath: blob))
        } else if damage.hasPrefix("blob") {
            unlink(blob)
            if damage.hasSuffix("folder") { mkdir(blob, 0o755) }
        }
        #expect(try cache.lookup(step.cacheKey) == nil)
        #expect(!exists(path), "the damaged entry was kept")
        if damage.hasSuffix("folder") { rmdir(blob) }
        try store(step.cacheKey, [a, b])
        #expect(try cache.lookup(step.cacheKey)?.images == [a, b], "storing the answer again did not repair it")
    }

    @Test(arguments: [3, 5]) func aRecordOfAnotherVersionIsAMiss(version: Int) throws {
        try store(step.cacheKey, [a])
        let url = URL(fileURLWithPath: cache.entryPath(step.cacheKey))
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        #expect(text.contains("\"version\" : 4"))
        // Same length: the header's record length still holds; the header says 4, the record not.
        try Data(text.replacingOccurrences(of: "\"version\" : 4", with: "\"version\" : \(version)").utf8).write(to: url)
        #expect(try cache.lookup(step.cacheKey) == nil)
    }

    @Test func anEntryOfFormatTwoIsNotReadAndIsReportedOnce() throws {
        try cache.storeFormatTwo(step.cacheKey, [a], step: step)
        #expect(!cache.hasEntry(step.cacheKey))
        #expect(try cache.lookup(step.cacheKey) == nil)
        let notice = try #require(cache.oldFormatNotice())
        #expect(notice.contains("earlier Kiln format") && notice.contains("kiln cache gc"))
        #expect(cache.oldFormatNotice() == nil, "reported twice")
        #expect(ResultCache(directory: cache.directory).oldFormatNotice() == nil, "reported again by another process")
        #expect(try cache.stats() == CacheStats(objects: 0, objectBytes: 0, actions: 0))

        try store(step.cacheKey, [b], requestID: "v3")
        #expect(try cache.lookup(step.cacheKey)?.images == [b])
    }

    @Test func storingAKeyTwiceKeepsTheNewestAndNoTempFiles() throws {
        try store(step.cacheKey, [a], requestID: "first")
        try store(step.cacheKey, [a], requestID: "second")
        #expect(try cache.lookup(step.cacheKey)?.record.requestID == "second")
        #expect(PosixFile.names(in: cache.tmpPath).isEmpty)
        #expect(try cache.stats() == CacheStats(objects: 1, objectBytes: Int64(a.count), actions: 1))
    }

    @Test func aHitMarksTheEntryAsUsed() throws {
        try store(step.cacheKey, [a])
        let path = cache.entryPath(step.cacheKey)
        let old = Date(timeIntervalSinceNow: -30 * 86_400)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        #expect(try cache.lookup(step.cacheKey) != nil)
        let touched = try #require(PosixFile.status(path).map(PosixFile.modificationDate))
        #expect(touched > old.addingTimeInterval(86_400))
    }

    @Test func aKeyThatIsNotADigestIsRejected() {
        #expect(throws: CacheKeyError.self) { try cache.lookup("../../etc/passwd") }
        #expect(throws: CacheKeyError.self) { try store("ABCDEF0123", [a]) }
    }

    @Test func sweepingRemovesOnlyADeadProcesssTempFiles() throws {
        let deadPID: pid_t = (1 << 22) - 1
        try #require(kill(deadPID, 0) != 0 && errno == ESRCH, "pid \(deadPID) exists here; pick another")
        try store(step.cacheKey, [a]) // makes tmp/
        let dead = cache.tmpPath + "/\(deadPID)-abc", live = cache.tmpPath + "/\(getpid())-def"
        try Data("x".utf8).write(to: URL(fileURLWithPath: dead))
        try Data("y".utf8).write(to: URL(fileURLWithPath: live))
        #expect(try cache.sweepTemporaries() == 1)
        #expect(!exists(dead) && exists(live))
    }

    @Test func theLastBuildIsRecorded() throws {
        #expect(cache.lastBuild() == nil)
        try cache.recordLastBuild(hits: 7, misses: 3)
        let last = try #require(cache.lastBuild())
        #expect(last.hits == 7 && last.misses == 3)
        #expect(abs(last.date.timeIntervalSinceNow) < 86_400)
        try cache.recordLastBuild(hits: 1, misses: 0)
        #expect(cache.lastBuild()?.hits == 1)
    }
}

@Suite struct ResultCacheGarbageTests {
    let cache = ResultCache(directory: TemporaryFolder.make("kiln-cache"))

    func image(_ seed: UInt8) -> Data { TestPNG.make(width: 2, height: 2, seed: seed) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    func age(_ path: String, days: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -days * 86_400)],
                                              ofItemAtPath: path)
    }

    @Test func gcDropsOldUnusedEntriesAndKeepsRecentAndPinnedOnes() throws {
        let step = TestSteps.generate("g")
        let (old, recent, pinned) = (Digest.sha256("old"), Digest.sha256("recent"), Digest.sha256("pinned"))
        for (i, key) in [old, recent, pinned].enumerated() {
            try cache.store(key: key, step: step, images: [image(UInt8(i))], usage: nil, requestID: nil, resolved: [:])
        }
        try age(cache.entryPath(old), days: 30)
        try age(cache.entryPath(pinned), days: 30)
        try age(cache.entryPath(recent), days: 2)
        // Blobs keep the time they were written: a blob an entry names stays however old it is.
        for i in 0..<3 { try age(cache.store.path(for: .blob(sha256: Digest.sha256(image(UInt8(i))))), days: 30) }
        let deadTemp = cache.tmpPath + "/\((1 << 22) - 1)-gc"
        try Data("t".utf8).write(to: URL(fileURLWithPath: deadTemp))
        let oldEntryBytes = try #require(PosixFile.status(cache.entryPath(old))).st_size

        let report = try cache.collectGarbage(keepDays: 7, keepKeys: [pinned])

        #expect(report == GCReport(actionsRemoved: 1, objectsRemoved: 1, temporariesRemoved: 1,
                                   bytesFreed: Int64(oldEntryBytes) + Int64(image(0).count) + 1))
        #expect(!exists(cache.store.path(for: .blob(sha256: Digest.sha256(image(0))))), "the old entry's blob was kept")
        #expect(!exists(cache.entryPath(old)) && !exists(deadTemp))
        #expect(try cache.lookup(recent)?.images == [image(1)])
        #expect(try cache.lookup(pinned)?.images == [image(2)])
        #expect(try cache.stats() == CacheStats(objects: 2, objectBytes: Int64(2 * image(0).count), actions: 2))
    }

    @Test func gcRemovesEverythingOfFormatTwo() throws {
        let step = TestSteps.generate("g")
        let current = Digest.sha256("current")
        try cache.store(key: current, step: step, images: [image(1)], usage: nil, requestID: nil, resolved: [:])
        let old = Digest.sha256("v2")
        let recordPath = try cache.storeFormatTwo(old, [image(10), image(11)], step: step)
        _ = cache.oldFormatNotice()

        let report = try cache.collectGarbage(keepDays: 7, keepKeys: [old])

        #expect(report.actionsRemoved == 1 && report.objectsRemoved == 2)
        #expect(!exists(cache.formatTwoObjectsPath) && !exists(recordPath))
        #expect(try cache.lookup(current)?.images == [image(1)], "a current entry was removed")
        #expect(cache.oldFormatNotice() == nil)
    }

    @Test(arguments: ["99999", "9223372036854775800"])
    func gcRemovesAnEntryItCannotRead(_ length: String) throws {
        let key = Digest.sha256("torn")
        try AtomicFile.ensureDirectory(path: cache.actionsPath + "/" + key.prefix(2))
        try Data("kiln-cache-entry 3 \(length)\n{".utf8).write(to: URL(fileURLWithPath: cache.entryPath(key)))
        #expect(try cache.stats().actions == 1)
        #expect(try cache.lookup(key) == nil)
        try Data("kiln-cache-entry 3 \(length)\n{".utf8).write(to: URL(fileURLWithPath: cache.entryPath(key)))
        let report = try cache.collectGarbage(keepDays: 7, keepKeys: [key])
        #expect(report.actionsRemoved == 1 && !exists(cache.entryPath(key)))
    }

    @Test func gcRemovesThePerKeyLockFilesOfEarlierVersions() throws {
        let legacy = cache.legacyLocksPath
        try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
        for i in 0..<3 { try Data().write(to: URL(fileURLWithPath: legacy + "/\(Digest.sha256("k\(i)")).lock")) }
        let held = try #require(try cache.tryLock(Digest.sha256("k9")))
        defer { held.release() }

        let report = try cache.collectGarbage(keepDays: 7, keepKeys: [])

        #expect(report.temporariesRemoved == 3)
        #expect(!exists(legacy))
        #expect(exists(cache.keyLockPath), "gc removed the lock file in use")
    }
}

extension ResultCache {
    /// Writes a format-2 entry (Kiln before entry files): the record at `actions/<2>/<key>.json`,
    /// each image an object named by its digest. Returns the record's path.
    @discardableResult
    func storeFormatTwo(_ key: String, _ images: [Data], step: PlannedStep) throws -> String {
        var record = CacheRecord(cacheKey: key, step: step.id, kind: step.kind, provider: step.provider,
                                 model: step.model, usage: nil, requestID: "v2", resolved: [:],
                                 images: images.map { .init(sha256: Digest.sha256($0), bytes: $0.count, format: .png) })
        record.version = 2
        for image in images {
            let digest = Digest.sha256(image)
            try put(image, at: formatTwoObjectsPath + "/" + digest.prefix(2) + "/" + digest)
        }
        let path = actionsPath + "/" + key.prefix(2) + "/" + key + ".json"
        try put(record.encoded(), at: path)
        return path
    }
}
