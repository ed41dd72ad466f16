import Foundation
import KilnServeRecords
import Testing

/// Each filter of `AuditReader.records` selects exactly what it says, oldest first.
@Suite struct AuditQueryTests {
    let database = AuditFixtures.database()
    let hour: Double = 3600

    /// Twelve records an hour apart, clients alternating `ci` and `web`; request ids req_0 … req_11.
    func filled() async throws -> AuditReader {
        let log = try AuditLog(path: database)
        // Appended out of order: the reader sorts by time, not by insertion.
        for n in (0..<12).reversed() {
            await log.append(AuditFixtures.record(n, seconds: Double(n) * hour, client: n % 2 == 0 ? "ci" : "web"))
        }
        await log.close()
        return try AuditReader(path: database)
    }

    func ids(_ reader: AuditReader, _ query: AuditQuery) throws -> [Int] {
        try reader.records(query).map { Int($0.requestID!.dropFirst(4))! }
    }

    @Test func filtersSelectExactly() async throws {
        let reader = try await filled()
        let at = { (n: Double) in AuditFixtures.base.addingTimeInterval(n * self.hour) }
        #expect(try ids(reader, AuditQuery()) == Array(0..<12))
        #expect(try ids(reader, AuditQuery(since: at(3))) == Array(3..<12), "since is inclusive")
        #expect(try ids(reader, AuditQuery(until: at(3))) == [0, 1, 2], "until is exclusive")
        #expect(try ids(reader, AuditQuery(since: at(2), until: at(6))) == [2, 3, 4, 5])
        #expect(try ids(reader, AuditQuery(client: "web")) == [1, 3, 5, 7, 9, 11])
        #expect(try ids(reader, AuditQuery(client: "nobody")) == [])
        #expect(try ids(reader, AuditQuery(limit: 3)) == [9, 10, 11], "the newest three, oldest first")
        #expect(try ids(reader, AuditQuery(since: at(1), until: at(10), client: "ci", limit: 2)) == [6, 8])
        #expect(try ids(reader, AuditQuery(since: at(2.5), until: at(2.5))) == [])
        #expect(try ids(reader, AuditQuery(since: at(11).addingTimeInterval(0.001))) == [], "to the millisecond")
    }

    @Test func equalTimesKeepTheirOrderOfArrival() async throws {
        let log = try AuditLog(path: database)
        for n in 0..<5 { await log.append(AuditFixtures.record(n)) }
        await log.close()
        let reader = try AuditReader(path: database)
        #expect(try ids(reader, AuditQuery()) == [0, 1, 2, 3, 4])
        #expect(try ids(reader, AuditQuery(limit: 2)) == [3, 4])
    }

    @Test func impossibleQueriesAreRefusedClearly() async throws {
        let reader = try await filled()
        #expect(throws: AuditStoreError.badQuery("the limit must be 1 or more, not 0")) {
            try reader.records(AuditQuery(limit: 0))
        }
        let error = #expect(throws: AuditStoreError.self) {
            try reader.records(AuditQuery(since: AuditFixtures.base, until: AuditFixtures.base.addingTimeInterval(-1)))
        }
        #expect(error?.description.contains("before --since") == true)
    }
}
