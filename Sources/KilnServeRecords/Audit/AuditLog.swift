import Foundation
import GRDB
import Logging

/// The audit log `kiln serve` writes: one row per call in an SQLite file (WAL mode), appended in
/// batches so a busy server pays one transaction per batch, not one fsync per call.
///
/// `append` never fails the caller: a call already answered must not turn into an error because
/// its record could not be written. A failed batch is logged and counted in `failedWrites`, which
/// the server can report. Several processes may append to one file (WAL and a busy timeout).
public actor AuditLog {
    /// Records waiting beyond this many are dropped and counted as failed: a disk that stalls for
    /// minutes must not grow the server's memory without bound.
    public static let maximumPending = 50_000

    private var pool: DatabasePool?
    private let path: String
    private let logger: Logger
    private var pending: [AuditRecord] = []
    private var writer: Task<Void, Never>?
    /// Records appended, and records written or given up: `flush` waits for the second to reach the first.
    private var appended = 0
    private var settled = 0
    private var failed = 0
    /// Set by `close`: appends from then on are refused (counted), the queue is written out.
    private var closing = false

    /// Records appended whose writing failed (or that were dropped), since this log was opened.
    public var failedWrites: Int { failed }

    /// Opens the file at `path`, creating its folders and the file, and brings its schema up to
    /// date. Throws `AuditStoreError` when the folder cannot be made or the file is not an audit log.
    public init(path: URL) throws {
        try self.init(path: path, logger: Logger(label: "kiln.serve.audit"))
    }

    public init(path: URL, logger: Logger) throws {
        self.pool = try AuditDatabase.openForWriting(path)
        self.path = path.path
        self.logger = logger
    }

    /// Queues a record; it is committed with the next batch (see `flush`).
    public func append(_ r: AuditRecord) {
        appended += 1
        guard !closing, pool != nil else {
            give(up: [r], reason: "the audit log is closed")
            return
        }
        guard pending.count < Self.maximumPending else {
            give(up: [r], reason: "\(Self.maximumPending) records are already waiting for the disk")
            return
        }
        pending.append(r)
        if writer == nil { writer = Task { await self.drain() } }
    }

    /// Returns when every record appended before the call is committed (or counted as failed).
    public func flush() async {
        let target = appended
        while settled < target, let writer {
            await writer.value
        }
    }

    /// Flushes, then closes the database; later appends are counted as failed.
    public func close() async {
        closing = true
        while let writer { await writer.value }
        guard let pool else { return }
        self.pool = nil
        do {
            try pool.close()
        } catch {
            logger.error("audit log: closing \(path) failed: \(AuditDatabase.reason(error))")
        }
    }

    /// Deletes the records before `date` and returns how many went. The file keeps its size: SQLite
    /// reuses the freed pages for the records that follow.
    public func prune(before date: Date) async throws -> Int {
        guard !closing, let pool else {
            throw AuditStoreError.unreadable(path: path, reason: "the audit log is closed")
        }
        let limit = AuditSchema.milliseconds(date)
        do {
            return try await pool.write { db in
                try db.execute(sql: "DELETE FROM audit WHERE time_ms < ?", arguments: [limit])
                return db.changesCount
            }
        } catch {
            throw AuditStoreError.unreadable(path: path, reason: AuditDatabase.reason(error))
        }
    }

    /// Writes what is pending, a batch per transaction, until nothing is left. Appends that arrive
    /// while a batch commits form the next batch.
    private func drain() async {
        while !pending.isEmpty, let pool {
            let batch = pending
            pending = []
            do {
                try await pool.write { db in
                    for record in batch { try AuditSchema.insert(record, into: db) }
                }
                settled += batch.count
            } catch {
                give(up: batch, reason: AuditDatabase.reason(error))
            }
        }
        writer = nil
    }

    private func give(up records: [AuditRecord], reason: String) {
        failed += records.count
        settled += records.count
        logger.error("audit log: \(records.count) record(s) not written to \(path): \(reason)",
                     metadata: ["failed_writes": "\(failed)"])
    }
}
