import Foundation
import KilnCore
@testable import KilnEngine
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ResultCacheTests {
    let f: Fixture
    var cache: ResultCache { f.cache }
    let step = Fixture.generate("g")
    let a = TestPNG.make(width: 3, height: 2, seed: 1)
    let b = TestPNG.make(width: 2, height: 3, seed: 2)

    init() throws { f = try Fixture() }

    func key(_ name: String) -> String { Digest.sha256(name) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    @Test func preparingMakesEveryFanOutFolderOnceAndStoresStillWork() throws {
        cache.prepareFolders()
        for kind in [cache.objectsPath, cache.actionsPath] {
            let names = try FileManager.default.contentsOfDirectory(atPath: kind).sorted()
            #expect(names.count == 256 && names.first == "00" && names.last == "ff")
        }
        #expect(exists(cache.tmpPath))
        // Done already: a second call leaves a removed folder alone (a store makes it again).
        try FileManager.default.removeItem(atPath: cache.objectsPath + "/ab")
        cache.prepareFolders()
        #expect(!exists(cache.objectsPath + "/ab"))
        try store(key("k"), [a])
        #expect(try cache.lookup(key("k"))?.images == [a])
    }

    @Test func aLargeBuildPreparesItsCacheAndASmallOneMakesOnlyWhatItUses() async throws {
        let many = (0..<BuildEngine.stepsWorthPreparingTheCache).map { Fixture.generate("g\($0)") }
        #expect(await f.engine(many).run().summary.exitCode == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.actionsPath).count == 256)

        let small = try Fixture()
        #expect(await small.engine([Fixture.generate("g")]).run().summary.exitCode == 0)
        let used = try FileManager.default.contentsOfDirectory(atPath: small.cache.actionsPath)
        #expect(used == [String(Fixture.generate("g").cacheKey.prefix(2))])
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
        #expect(hit.record == stored)
        #expect(hit.record.version == 2 && hit.record.usage?.usage == usage && hit.record.resolved == ["quality": "high"])
        #expect(hit.record.images.map(\.sha256) == [Digest.sha256(a), Digest.sha256(b)])
        #expect(hit.record.images.first?.format == .png)
        #expect((try? Date(hit.record.created, strategy: .iso8601)) != nil, "created: \(hit.record.created)")
        #expect(hit.record.created.hasSuffix("Z"))
        let action = try Data(contentsOf: URL(fileURLWithPath: cache.actionPath(step.cacheKey)))
        #expect(action == (try CanonicalJSON.encode(hit.record, pretty: true)), "the action entry is not the record's canonical JSON")
        #expect(cache.actionPath(step.cacheKey).hasSuffix("/actions/\(step.cacheKey.prefix(2))/\(step.cacheKey).json"))
        #expect(try cache.lookup(key("never stored")) == nil)
    }

    @Test func everyActionNamesObjectsThatExist() throws {
        try store(key("one"), [a])
        try store(key("two"), [a, b])
        let actions = CacheFiles.fanOut(cache.actionsPath)
        #expect(actions.count == 2)
        for action in actions {
            let record = try JSONDecoder().decode(CacheRecord.self, from: Data(contentsOf: URL(fileURLWithPath: action.path)))
            for image in record.images {
                #expect(exists(cache.objectPath(image.sha256)), "\(action.name) names a missing object")
            }
        }
        #expect(try cache.stats() == CacheStats(objects: 2, objectBytes: Int64(a.count + b.count), actions: 2))
    }

    @Test func aCorruptObjectIsAMissAndIsRemoved() throws {
        try store(step.cacheKey, [a, b])
        let object = cache.objectPath(Digest.sha256(b))
        var damaged = b
        damaged[damaged.count - 1] ^= 0xff
        try damaged.write(to: URL(fileURLWithPath: object))
        #expect(try cache.lookup(step.cacheKey) == nil)
        #expect(!exists(object), "the damaged object was kept")
        #expect(exists(cache.objectPath(Digest.sha256(a))), "an intact object was removed")
        try store(step.cacheKey, [a, b])
        #expect(try cache.lookup(step.cacheKey)?.images == [a, b])
    }

    @Test func aMissingObjectIsAMiss() throws {
        try store(step.cacheKey, [a])
        try FileManager.default.removeItem(atPath: cache.objectPath(Digest.sha256(a)))
        #expect(try cache.lookup(step.cacheKey) == nil)
    }

    @Test(arguments: [1, 3]) func aRecordOfAnotherVersionIsAMiss(version: Int) throws {
        try store(step.cacheKey, [a])
        let url = URL(fileURLWithPath: cache.actionPath(step.cacheKey))
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains("\"version\" : 2"))
        try text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : \(version)").write(to: url, atomically: true, encoding: .utf8)
        #expect(try cache.lookup(step.cacheKey) == nil)
    }

    @Test func storingAKeyTwiceKeepsTheNewestAndNoTempFiles() throws {
        try store(step.cacheKey, [a], requestID: "first")
        try store(step.cacheKey, [a], requestID: "second")
        #expect(try cache.lookup(step.cacheKey)?.record.requestID == "second")
        #expect(CacheFiles.names(in: cache.tmpPath).isEmpty)
        #expect(try cache.stats() == CacheStats(objects: 1, objectBytes: Int64(a.count), actions: 1))
    }

    @Test func aHitMarksTheActionAsUsed() throws {
        try store(step.cacheKey, [a])
        let path = cache.actionPath(step.cacheKey)
        let old = Date(timeIntervalSinceNow: -30 * 86_400)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        #expect(try cache.lookup(step.cacheKey) != nil)
        let touched = try #require(CacheFiles.status(path).map(CacheFiles.modificationDate))
        #expect(touched > old.addingTimeInterval(86_400))
    }

    @Test func aKeyThatIsNotADigestIsRejected() {
        #expect(throws: EngineError.self) { try cache.lookup("../../etc/passwd") }
        #expect(throws: EngineError.self) { try store("ABCDEF0123", [a]) }
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
    let f: Fixture
    var cache: ResultCache { f.cache }
    init() throws { f = try Fixture() }

    func image(_ seed: UInt8) -> Data { TestPNG.make(width: 2, height: 2, seed: seed) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
    func age(_ path: String, days: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -days * 86_400)],
                                              ofItemAtPath: path)
    }

    @Test func gcDropsOldUnusedEntriesAndKeepsRecentAndPinnedOnes() throws {
        let step = Fixture.generate("g")
        let (old, recent, pinned) = (Digest.sha256("old"), Digest.sha256("recent"), Digest.sha256("pinned"))
        for (i, key) in [old, recent, pinned].enumerated() {
            try cache.store(key: key, step: step, images: [image(UInt8(i))], usage: nil, requestID: nil, resolved: [:])
        }
        let kept = image(10), unused = image(11), fresh = image(12)
        for data in [kept, unused, fresh] { try cache.put(data, at: cache.objectPath(Digest.sha256(data))) }
        for i in 0..<3 { try age(cache.objectPath(Digest.sha256(image(UInt8(i)))), days: 30) }
        for data in [kept, unused] { try age(cache.objectPath(Digest.sha256(data)), days: 30) }
        try age(cache.actionPath(old), days: 30)
        try age(cache.actionPath(pinned), days: 30)
        try age(cache.actionPath(recent), days: 2)
        let deadTemp = cache.tmpPath + "/\((1 << 22) - 1)-gc"
        try Data("t".utf8).write(to: URL(fileURLWithPath: deadTemp))
        let oldActionBytes = try #require(CacheFiles.status(cache.actionPath(old))).st_size

        let report = try cache.collectGarbage(keepDays: 7, keepKeys: [pinned], keepObjects: [Digest.sha256(kept)])

        #expect(report == GCReport(actionsRemoved: 1, objectsRemoved: 2, temporariesRemoved: 1,
                                   bytesFreed: Int64(oldActionBytes) + Int64(image(0).count + unused.count + 1)))
        #expect(!exists(cache.actionPath(old)) && !exists(cache.objectPath(Digest.sha256(image(0)))))
        #expect(!exists(cache.objectPath(Digest.sha256(unused))) && !exists(deadTemp))
        #expect(try cache.lookup(recent)?.images == [image(1)])
        #expect(try cache.lookup(pinned)?.images == [image(2)])
        #expect(exists(cache.objectPath(Digest.sha256(kept))), "an object in keepObjects was removed")
        #expect(exists(cache.objectPath(Digest.sha256(fresh))), "an object written a moment ago was removed")
        #expect(try cache.stats() == CacheStats(objects: 4, objectBytes: Int64(4 * kept.count), actions: 2))
    }

    @Test func gcRemovesThePerKeyLockFilesOfEarlierVersions() throws {
        let legacy = cache.legacyLocksPath
        try FileManager.default.createDirectory(atPath: legacy, withIntermediateDirectories: true)
        for i in 0..<3 { try Data().write(to: URL(fileURLWithPath: legacy + "/\(Digest.sha256("k\(i)")).lock")) }
        let held = try #require(try cache.tryLock(Digest.sha256("k9")))
        defer { held.release() }

        let report = try cache.collectGarbage(keepDays: 7, keepKeys: [], keepObjects: [])

        #expect(report.temporariesRemoved == 3)
        #expect(!exists(legacy))
        #expect(exists(cache.keyLockPath), "gc removed the lock file in use")
    }
}
