import Foundation
import KilnServeRecords
import KilnTestSupport
import Testing

/// A file that is not an audit log gets an error naming it, never a crash or a silent new log.
@Suite struct AuditStoreErrorTests {
    let folder = TemporaryFolder.make("kiln-audit-errors")
    var path: URL { folder.appendingPathComponent("audit.sqlite") }

    @Test func aFileThatIsNotSQLiteIsNamedInTheError() async throws {
        let garbage = Data("this is not a database, it is a shopping list: eggs, milk\n".utf8)
            + Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: path)
        for open in [{ _ = try AuditLog(path: path) }, { _ = try AuditReader(path: path) }] {
            let error = #expect(throws: AuditStoreError.self) { try open() }
            guard case .unreadable(let named, let reason)? = error else {
                Issue.record("expected .unreadable, got \(String(describing: error))")
                continue
            }
            #expect(named == path.path)
            #expect(reason.contains("not a database"), "SQLite's reason: \(reason)")
            #expect(error?.description.contains(path.path) == true)
        }
        #expect(try Data(contentsOf: path) == garbage, "the file is left as it was")
    }

    @Test func aMissingFileIsMissingForTheReaderAndCreatedForTheLog() async throws {
        #expect(throws: AuditStoreError.missing(path: path.path)) { try AuditReader(path: path) }
        #expect(!FileManager.default.fileExists(atPath: path.path), "reading creates nothing")
        let log = try AuditLog(path: path)
        await log.close()
        #expect(try AuditReader(path: path).records(AuditQuery()).isEmpty)
    }

    @Test func anotherProgramsDatabaseIsNotAnAuditLog() throws {
        try AuditFixtures.execute("CREATE TABLE songs (title TEXT)", on: path)
        #expect(throws: AuditStoreError.notAnAuditLog(path: path.path)) { try AuditReader(path: path) }
    }

    @Test func aSchemaFromANewerKilnIsRefused() async throws {
        let log = try AuditLog(path: path)
        await log.close()
        try AuditFixtures.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v9-future')", on: path)
        for open in [{ _ = try AuditLog(path: path) }, { _ = try AuditReader(path: path) }] {
            let error = #expect(throws: AuditStoreError.self) { try open() }
            #expect(error?.description.contains("newer Kiln") == true, "\(String(describing: error))")
        }
    }

    @Test func aDamagedRowIsReportedWithItsID() async throws {
        let log = try AuditLog(path: path)
        await log.append(AuditFixtures.record(1))
        await log.close()
        try AuditFixtures.execute("UPDATE audit SET parameters = '{not json'", on: path)
        let error = #expect(throws: AuditStoreError.self) { try AuditReader(path: path).records(AuditQuery()) }
        guard case .badRecord(let named, let id, _)? = error else {
            Issue.record("expected .badRecord, got \(String(describing: error))")
            return
        }
        #expect(named == path.path && id == 1)
    }

    @Test func aFolderThatCannotBeMadeIsNamed() throws {
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let target = blocker.appendingPathComponent("audit.sqlite")
        let error = #expect(throws: AuditStoreError.self) { try AuditLog(path: target) }
        #expect(error?.description.contains(target.path) == true)
    }
}
