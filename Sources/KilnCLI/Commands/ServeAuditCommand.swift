import ArgumentParser
import Foundation
import KilnServeRecords

/// `kiln serve audit`: what the server's audit log recorded, as a table or JSON Lines; or pruning
/// it. The reading, rendering and time parsing live in `KilnServeRecords` (`AuditListing`,
/// `AuditTime`), where tests call them.
struct ServeAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the calls kiln serve answered (its audit log), or prune old ones.",
        discussion: """
        Reads .kiln/serve/audit.sqlite (read-only: servers may keep writing). Times are \(AuditTime.acceptedForms). Records are listed oldest first; --limit keeps the newest. Exit status 0, 1 when the log is missing or unreadable, 2 for invalid arguments.

        Examples:
          kiln serve audit --since 1h
          kiln serve audit --since 2026-12-01 --until 2026-12-02 --client ci --json
          kiln serve audit --prune-before 90d
        """)

    @Option(name: .customLong("project-dir"), help: "The project's folder (default: the current one).")
    var projectDir: String = "."

    @Option(help: "The audit log (default: .kiln/serve/audit.sqlite under --project-dir).")
    var db: String?

    @Option(help: "Records at or after this time.") var since: String?
    @Option(help: "Records before this time.") var until: String?
    @Option(help: "Records of this client (a token name in the server's configuration).") var client: String?
    @Option(help: "At most this many records: the newest.") var limit: Int?

    @Flag(help: "JSON Lines: one object per record.") var json = false

    @Option(name: .customLong("prune-before"), help: "Delete the records before this time instead of listing.")
    var pruneBefore: String?

    /// The audit log's path.
    var databaseURL: URL {
        let root = URL(fileURLWithPath: projectDir, isDirectory: true)
        return db.map { URL(fileURLWithPath: $0, relativeTo: root).standardizedFileURL }
            ?? root.appendingPathComponent(AuditListing.defaultPath).standardizedFileURL
    }

    /// The query the flags ask for, ages counted back from `now`.
    func query(now: Date = Date()) throws -> AuditQuery {
        do {
            return AuditQuery(since: try since.map { try AuditTime.parse($0, option: "--since", now: now) },
                              until: try until.map { try AuditTime.parse($0, option: "--until", now: now) },
                              client: client, limit: limit)
        } catch let error as AuditTime.ParseError {
            throw ValidationError(error.description)
        }
    }

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more, not \(limit)") }
        _ = try query()
        if let pruneBefore {
            do { _ = try AuditTime.parse(pruneBefore, option: "--prune-before") } catch let error as AuditTime.ParseError {
                throw ValidationError(error.description)
            }
        }
    }

    func run() async throws {
        do {
            if let pruneBefore {
                Console.out(try await AuditListing.prune(database: databaseURL,
                                                         before: AuditTime.parse(pruneBefore, option: "--prune-before")))
            } else {
                Console.out(try AuditListing.text(database: databaseURL, query: try query(), json: json))
            }
        } catch let error as AuditStoreError {
            Console.err("error: \(error)")
            throw ExitCode(ExitStatus.buildFailed.rawValue)
        }
    }
}
