import Foundation
import GRDB
import KilnCore
import KilnServeRecords
import Testing

/// The audit log on real SQLite files: what goes in comes out, what must not be stored is not.
@Suite struct AuditLogTests {
    let database = AuditFixtures.database()

    @Test func everyFieldComesBackIncludingUnicodeAndQuotes() async throws {
        let prompt = "A \"quoted\" 'fox' — ünïcödé 🦊, a back\\slash,\na newline and a tab\t; DROP TABLE audit;--"
        var first = AuditFixtures.record(1, prompt: prompt)
        first.time = Date(timeIntervalSince1970: 1_796_119_200.123)
        first.parameters = ["size": "1024x1024", "style\"": "it's \"vivid\"\n🎨", "": "empty key"]
        first.imageDigests = [Digest.sha256("a"), Digest.sha256("b")]
        first.costUSD = 0.167
        first.requestID = nil
        first.status = 429
        first.outcome = "upstream:rate_limited"
        var second = AuditFixtures.record(2, seconds: 1, client: "désigner \"team\"")
        second.imageDigests = []
        second.parameters = [:]

        let log = try AuditLog(path: database)
        await log.append(first)
        await log.append(second)
        await log.flush()
        let read = try AuditReader(path: database).records(AuditQuery())
        #expect(read == [first, second])

        // Times are kept to the millisecond: a finer part is rounded, never shifted further.
        var fine = AuditFixtures.record(3)
        fine.time = Date(timeIntervalSince1970: 1_796_119_200.123_456)
        await log.append(fine)
        await log.flush()
        let back = try #require(try AuditReader(path: database).records(AuditQuery()).first { $0.requestID == "req_3" })
        #expect(back.time == Date(timeIntervalSince1970: 1_796_119_200.123))
        #expect(await log.failedWrites == 0)
        await log.close()
    }

    @Test func aPromptNotGivenIsNowhereInTheFiles() async throws {
        let secretPrompt = "a purple giraffe on a unicycle 7f3c9e"
        var record = AuditFixtures.record(1)
        record.prompt = nil
        record.promptSHA256 = Digest.sha256(secretPrompt)
        let log = try AuditLog(path: database)
        for _ in 0..<50 { await log.append(record) }
        await log.flush()
        #expect(!AuditFixtures.bytesOnDisk(database).contains(Data(secretPrompt.utf8)), "in the WAL, before a checkpoint")
        await log.close()
        #expect(!AuditFixtures.bytesOnDisk(database).contains(Data(secretPrompt.utf8)), "after closing")
        #expect(try AuditReader(path: database).records(AuditQuery()).allSatisfy { $0.prompt == nil })

        // The check can fail: the same record with its prompt kept puts the text in the files.
        let other = AuditFixtures.database()
        let keeping = try AuditLog(path: other)
        record.prompt = secretPrompt
        await keeping.append(record)
        await keeping.flush()
        #expect(AuditFixtures.bytesOnDisk(other).contains(Data(secretPrompt.utf8)))
        await keeping.close()
    }

    @Test func twoThousandConcurrentAppendsLandExactlyOnce() async throws {
        let log = try AuditLog(path: database)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<40 {
                group.addTask {
                    for i in 0..<50 { await log.append(AuditFixtures.record(task * 50 + i, seconds: Double(i))) }
                }
            }
        }
        await log.flush()
        let ids = try AuditReader(path: database).records(AuditQuery()).compactMap(\.requestID)
        #expect(ids.count == 2000)
        #expect(Set(ids) == Set((0..<2000).map { "req_\($0)" }))
        #expect(await log.failedWrites == 0)
        await log.close()
    }

    @Test func twoLogsShareOneFile() async throws {
        // Both open a new file at once: one runs the migrations, the other must not fail on them.
        async let openedA = Task.detached { try AuditLog(path: database) }.value
        async let openedB = Task.detached { try AuditLog(path: database) }.value
        let (a, b) = try await (openedA, openedB)
        await withTaskGroup(of: Void.self) { group in
            for (offset, log) in [(0, a), (10_000, b)] {
                for task in 0..<4 {
                    group.addTask {
                        for i in 0..<125 { await log.append(AuditFixtures.record(offset + task * 125 + i)) }
                    }
                }
            }
        }
        await a.flush()
        await b.flush()
        let ids = Set(try AuditReader(path: database).records(AuditQuery()).compactMap(\.requestID))
        #expect(ids.count == 1000)
        #expect(ids.contains("req_0") && ids.contains("req_10499"))
        #expect(await a.failedWrites == 0)
        #expect(await b.failedWrites == 0)
        await a.close()
        await b.close()
    }

    @Test func aWriterWaitsForAnotherProcessesTransaction() async throws {
        let log = try AuditLog(path: database)
        // Another connection (as another `kiln serve` would) holds the write lock.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: database.path, configuration: configuration)
        try other.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        await log.append(AuditFixtures.record(1))
        try await Task.sleep(for: .milliseconds(300))  // lets the batch meet the lock; nothing is timed
        try other.inDatabase { try $0.execute(sql: "COMMIT") }
        await log.flush()
        #expect(await log.failedWrites == 0, "the busy timeout waits instead of failing")
        #expect(try AuditReader(path: database).records(AuditQuery()).count == 1)
        try other.close()
        await log.close()
    }

    @Test func aFailedWriteIsCountedNotThrown() async throws {
        let log = try AuditLog(path: database)
        await log.append(AuditFixtures.record(1))
        await log.flush()
        // Another connection removes the table: the next batch cannot be written.
        try AuditFixtures.execute("DROP TABLE audit", on: database)
        for n in 2...4 { await log.append(AuditFixtures.record(n)) }
        await log.flush()
        #expect(await log.failedWrites == 3)
        await log.close()
        await log.append(AuditFixtures.record(5))
        #expect(await log.failedWrites == 4, "an append after close is counted too")
    }

    @Test func pruningRemovesOnlyOlderRecords() async throws {
        let log = try AuditLog(path: database)
        for n in 0..<10 { await log.append(AuditFixtures.record(n, seconds: Double(n) * 3600)) }
        await log.flush()
        let removed = try await log.prune(before: AuditFixtures.base.addingTimeInterval(4 * 3600))
        #expect(removed == 4)
        let left = try AuditReader(path: database).records(AuditQuery()).compactMap(\.requestID)
        #expect(left == (4..<10).map { "req_\($0)" })
        await log.close()
    }
}
