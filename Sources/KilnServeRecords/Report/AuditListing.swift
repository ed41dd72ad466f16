import Foundation

/// What `kiln serve audit` does, callable from tests: read the records a query selects and render
/// them as a table or JSON Lines; or prune the records before a time.
public enum AuditListing {
    /// Where the audit log is by default, under the project's folder.
    public static let defaultPath = ".kiln/serve/audit.sqlite"

    /// The records `query` selects in `database`, rendered. Throws `AuditStoreError` (no file, not
    /// an audit log, a damaged record).
    public static func text(database: URL, query: AuditQuery, json: Bool) throws -> String {
        let records = try AuditReader(path: database).records(query)
        return json ? try AuditJSONLines.render(records) : AuditTable.render(records)
    }

    /// Deletes the records before `date`; the sentence to print. A missing file is an error here
    /// too: pruning must not create an empty log where the user mistyped a path.
    public static func prune(database: URL, before date: Date) async throws -> String {
        guard FileManager.default.fileExists(atPath: database.path) else {
            throw AuditStoreError.missing(path: database.path)
        }
        let log = try AuditLog(path: database)
        let removed = try await log.prune(before: date)
        await log.close()
        return "removed \(removed) record\(removed == 1 ? "" : "s") before \(AuditTime.iso(date)) from \(database.path)\n"
    }
}
