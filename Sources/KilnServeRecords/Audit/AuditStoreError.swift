import Foundation

/// Why the audit log could not be opened or read, each naming the file and what to do.
public enum AuditStoreError: Error, CustomStringConvertible, Equatable {
    /// No file at the path: `kiln serve` makes it on the first call it answers.
    case missing(path: String)
    /// The folder could not be made, or the file is not an SQLite database (or is damaged).
    case unreadable(path: String, reason: String)
    /// A newer Kiln wrote this schema; this one would misread it.
    case newerSchema(path: String, migrations: [String])
    /// The file is an SQLite database without an audit table (another program's file?).
    case notAnAuditLog(path: String)
    /// A stored row does not decode (edited by hand, or damaged).
    case badRecord(path: String, id: Int64, reason: String)
    /// A query's limit below 1, or an `until` before its `since`.
    case badQuery(String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no audit log at \(path): kiln serve creates it when it answers its first call (see --db)"
        case .unreadable(let path, let reason):
            return "cannot use the audit log \(path): \(reason). If the file is damaged, move it aside; "
                + "kiln serve starts a new one"
        case .newerSchema(let path, let migrations):
            return "the audit log \(path) was written by a newer Kiln (schema \(migrations.joined(separator: ", "))); "
                + "use that version to read it"
        case .notAnAuditLog(let path):
            return "\(path) is an SQLite database but not a Kiln audit log (no audit table)"
        case .badRecord(let path, let id, let reason):
            return "the audit log \(path) has a damaged record (id \(id)): \(reason)"
        case .badQuery(let message):
            return message
        }
    }
}
