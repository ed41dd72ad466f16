import Foundation
import GRDB

/// Opening the audit log's file, for the writer and for readers. WAL mode lets readers (`kiln serve
/// audit`) read while a server writes, and a busy timeout lets several `kiln serve` processes of one
/// project append to one file: each waits for the other's transaction instead of failing.
enum AuditDatabase {
    /// How long a connection waits for another process's write before giving up. A batch commits in
    /// milliseconds; minutes of waiting means a stuck process, which the failure then reports.
    static let busyTimeout: TimeInterval = 30

    /// Opens (creating the folders and the file) and migrates, for `AuditLog`.
    static func openForWriting(_ url: URL) throws -> DatabasePool {
        let path = url.path
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
        } catch {
            throw AuditStoreError.unreadable(path: path, reason: "cannot create its folder (\(error.localizedDescription))")
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "kiln.serve.audit"
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw AuditStoreError.unreadable(path: path, reason: reason(error))
        }
        try migrate(pool, path: path)
        return pool
    }

    /// Opens an existing file read-only, for `AuditReader`; the schema must be one this Kiln knows.
    static func openForReading(_ url: URL) throws -> DatabaseQueue {
        let path = url.path
        guard FileManager.default.fileExists(atPath: path) else { throw AuditStoreError.missing(path: path) }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "kiln.serve.audit.reader"
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.read { db in try checkSchema(db, path: path) }
        } catch let error as AuditStoreError {
            throw error
        } catch {
            throw AuditStoreError.unreadable(path: path, reason: reason(error))
        }
        return queue
    }

    /// Runs the migrations. Two processes opening a new file at once may both try the first one; the
    /// loser's failure is harmless when the winner completed them, so that case is checked again.
    private static func migrate(_ pool: DatabasePool, path: String) throws {
        let migrator = AuditSchema.migrator
        do {
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw AuditStoreError.newerSchema(path: path, migrations: try pool.read { try migrator.appliedIdentifiers($0).sorted() })
            }
            try migrator.migrate(pool)
        } catch let error as AuditStoreError {
            throw error
        } catch {
            let completed = (try? pool.read { try migrator.hasCompletedMigrations($0) }) ?? false
            if !completed { throw AuditStoreError.unreadable(path: path, reason: reason(error)) }
        }
    }

    private static func checkSchema(_ db: Database, path: String) throws {
        let migrator = AuditSchema.migrator
        guard try db.tableExists(AuditSchema.table) else { throw AuditStoreError.notAnAuditLog(path: path) }
        if try migrator.hasBeenSuperseded(db) {
            throw AuditStoreError.newerSchema(path: path, migrations: try migrator.appliedIdentifiers(db).sorted())
        }
    }

    /// SQLite's own words for what went wrong ("file is not a database"), without GRDB's SQL echo.
    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return "\(error)"
    }
}
