import ArgumentParser
import Foundation
@testable import KilnCLI
import KilnServeRecords
import KilnTestSupport
import Testing

/// `kiln serve audit`'s flags: where the log is, the query they make, and refusals with exit 2.
@Suite struct ServeAuditCommandTests {
    /// 2026-12-03T12:00:00Z.
    let now = Date(timeIntervalSince1970: 1_796_299_200)

    @Test func flagsMakeTheQuery() throws {
        let command = try ServeAuditCommand.parse(["--since", "7d", "--until", "2026-12-03T11:00:00Z",
                                                  "--client", "ci", "--limit", "20", "--json"])
        #expect(try command.query(now: now) == AuditQuery(since: now.addingTimeInterval(-7 * 86_400),
                                                          until: now.addingTimeInterval(-3600), client: "ci", limit: 20))
        #expect(command.json)
        #expect(try ServeAuditCommand.parse([]).query(now: now) == AuditQuery())
    }

    @Test func theLogIsUnderTheProjectUnlessNamed() throws {
        let project = try ServeAuditCommand.parse(["--project-dir", "/srv/assets"])
        #expect(project.databaseURL.path == "/srv/assets/.kiln/serve/audit.sqlite")
        let named = try ServeAuditCommand.parse(["--project-dir", "/srv/assets", "--db", "logs/a.sqlite"])
        #expect(named.databaseURL.path == "/srv/assets/logs/a.sqlite")
        let absolute = try ServeAuditCommand.parse(["--db", "/tmp/x.sqlite"])
        #expect(absolute.databaseURL.path == "/tmp/x.sqlite")
    }

    @Test(arguments: [["--since", "yesterday"], ["--until", "1y"], ["--prune-before", "2026-02-30"], ["--limit", "0"]])
    func badValuesAreUsageErrors(arguments: [String]) {
        do {
            _ = try ServeAuditCommand.parse(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            // Kiln.runMain turns a validation failure into exit status 2.
            #expect(ServeAuditCommand.exitCode(for: error) == .validationFailure)
            let message = ServeAuditCommand.message(for: error)
            #expect(message.contains(arguments[0]), "\(message)")
            if arguments[0] != "--limit" { #expect(message.contains(AuditTime.acceptedForms)) }
        }
    }

    @Test func aMissingLogExitsOneAndCreatesNothing() async throws {
        let folder = TemporaryFolder.make("kiln-serve-audit")
        let command = try ServeAuditCommand.parse(["--project-dir", folder.path])
        await #expect(throws: ExitCode(1)) { try await command.run() }
        let prune = try ServeAuditCommand.parse(["--project-dir", folder.path, "--prune-before", "30d"])
        await #expect(throws: ExitCode(1)) { try await prune.run() }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".kiln").path))
    }
}
