import Foundation
import GRDB

/// Reads the audit log, read-only, while servers may be writing it (`kiln serve audit`).
public struct AuditReader {
    private let queue: DatabaseQueue
    private let path: String

    /// Opens an existing audit log. Throws `AuditStoreError.missing` when there is no file,
    /// `.unreadable` when it is not SQLite, `.notAnAuditLog` or `.newerSchema` otherwise.
    public init(path: URL) throws {
        self.queue = try AuditDatabase.openForReading(path)
        self.path = path.path
    }

    /// The records the query selects, oldest first (newest last); with a limit, the newest ones.
    public func records(_ q: AuditQuery) throws -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let since = q.since {
            conditions.append("time_ms >= ?")
            arguments.append(AuditSchema.milliseconds(since))
        }
        if let until = q.until {
            conditions.append("time_ms < ?")
            arguments.append(AuditSchema.milliseconds(until))
        }
        if let client = q.client {
            conditions.append("client = ?")
            arguments.append(client)
        }
        if let limit = q.limit, limit < 1 { throw AuditStoreError.badQuery("the limit must be 1 or more, not \(limit)") }
        if let since = q.since, let until = q.until, until < since {
            throw AuditStoreError.badQuery("--until (\(until)) is before --since (\(since))")
        }
        var sql = "SELECT \(AuditSchema.columns) FROM audit"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        // Newest first, so a limit keeps the newest; reversed below so they read oldest first.
        sql += " ORDER BY time_ms DESC, id DESC"
        if let limit = q.limit { sql += " LIMIT \(limit)" }
        let path = self.path
        do {
            let rows = try queue.read { db in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)) }
            return try rows.reversed().map { try AuditSchema.record(from: $0, path: path) }
        } catch let error as AuditStoreError {
            throw error
        } catch {
            throw AuditStoreError.unreadable(path: path, reason: AuditDatabase.reason(error))
        }
    }
}
