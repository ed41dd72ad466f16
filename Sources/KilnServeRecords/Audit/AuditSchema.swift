import Foundation
import GRDB
import KilnCore

/// The audit log's tables, spelled once: the migrations that make them, the insert, and a row read
/// back into an `AuditRecord`.
///
/// Schema v1, table `audit`, one row per call:
/// - `time_ms` INTEGER: unix time in milliseconds, UTC (exact, compact, and compared as numbers;
///   `datetime(time_ms / 1000, 'unixepoch')` shows it in `sqlite3`);
/// - `parameters` TEXT: a JSON object with sorted keys; `image_digests` TEXT: a JSON array;
/// - `prompt` TEXT NULL: NULL unless the server keeps prompts;
/// - indexes on `time_ms` and on `(client, time_ms)`, for `--since` with or without `--client`.
///
/// The schema version is the list of applied migrations (GRDB's `grdb_migrations` table); the
/// last one is also in `PRAGMA user_version`, for tools that know nothing of GRDB.
enum AuditSchema {
    static let table = "audit"
    static let version = 1

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-audit") { db in
            try db.create(table: table, options: [.ifNotExists]) { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("time_ms", .integer).notNull()
                t.column("client", .text).notNull()
                t.column("route", .text).notNull()
                t.column("prompt_sha256", .text).notNull()
                t.column("prompt", .text)
                t.column("model", .text).notNull()
                t.column("parameters", .text).notNull()
                t.column("image_digests", .text).notNull()
                t.column("cost_usd", .double).notNull()
                t.column("cached", .boolean).notNull()
                t.column("request_id", .text)
                t.column("status", .integer).notNull()
                t.column("outcome", .text).notNull()
                t.column("duration_ms", .integer).notNull()
            }
            try db.create(index: "audit_time", on: table, columns: ["time_ms"], options: [.ifNotExists])
            try db.create(index: "audit_client_time", on: table, columns: ["client", "time_ms"], options: [.ifNotExists])
            try db.execute(sql: "PRAGMA user_version = \(version)")
        }
        return migrator
    }

    static let insertSQL = """
        INSERT INTO audit (time_ms, client, route, prompt_sha256, prompt, model, parameters, image_digests,
                           cost_usd, cached, request_id, status, outcome, duration_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    static let columns = "id, time_ms, client, route, prompt_sha256, prompt, model, parameters, image_digests, "
        + "cost_usd, cached, request_id, status, outcome, duration_ms"

    /// Writes one record with a statement the connection keeps prepared across a batch.
    static func insert(_ r: AuditRecord, into db: Database) throws {
        let statement = try db.cachedStatement(sql: insertSQL)
        let parameters = try CanonicalJSON.string(r.parameters)
        let digests = try CanonicalJSON.string(r.imageDigests)
        let values: [(any DatabaseValueConvertible)?] = [
            milliseconds(r.time), r.client, r.route, r.promptSHA256, r.prompt, r.model, parameters, digests,
            r.costUSD.isFinite ? r.costUSD : 0, r.cached, r.requestID, r.status, r.outcome, r.durationMS,
        ]
        try statement.execute(arguments: StatementArguments(values))
    }

    /// A row back into a record; a value that does not decode is a `badRecord` naming the row.
    static func record(from row: Row, path: String) throws -> AuditRecord {
        let id: Int64 = (try? row.decode(forColumn: "id")) ?? -1
        do {
            let parameters = try JSONDecoder().decode([String: String].self,
                                                      from: Data((try row.decode(String.self, forColumn: "parameters")).utf8))
            let digests = try JSONDecoder().decode([String].self,
                                                   from: Data((try row.decode(String.self, forColumn: "image_digests")).utf8))
            return AuditRecord(
                time: date(milliseconds: try row.decode(forColumn: "time_ms")),
                client: try row.decode(forColumn: "client"), route: try row.decode(forColumn: "route"),
                promptSHA256: try row.decode(forColumn: "prompt_sha256"), prompt: try row.decode(forColumn: "prompt"),
                model: try row.decode(forColumn: "model"), parameters: parameters, imageDigests: digests,
                costUSD: try row.decode(forColumn: "cost_usd"), cached: try row.decode(forColumn: "cached"),
                requestID: try row.decode(forColumn: "request_id"), status: try row.decode(forColumn: "status"),
                outcome: try row.decode(forColumn: "outcome"), durationMS: try row.decode(forColumn: "duration_ms"))
        } catch {
            throw AuditStoreError.badRecord(path: path, id: id, reason: "\(error)")
        }
    }

    /// Unix milliseconds, rounded: the unit `time_ms` holds.
    static func milliseconds(_ date: Date) -> Int64 {
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        return ms.isFinite ? Int64(max(min(ms, 9e15), -9e15)) : 0
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
