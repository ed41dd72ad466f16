import Foundation
import KilnServeRecords
import Testing

/// The table people read and the JSON Lines programs read.
@Suite struct AuditRenderingTests {
    func records() -> [AuditRecord] {
        var a = AuditFixtures.record(1, seconds: 5)
        a.imageDigests = ["3f9a1c0b7e21" + String(repeating: "a", count: 52), String(repeating: "b", count: 64)]
        a.costUSD = 0.04
        var b = AuditFixtures.record(2, seconds: 65, client: "web\u{1B}[31m")
        b.status = 502
        b.outcome = "upstream:server"
        b.costUSD = 0.167
        b.imageDigests = []
        b.prompt = "a \"quoted\" prompt"
        b.requestID = nil
        return [a, b]
    }

    @Test func tableIsAlignedAndShortened() {
        let lines = AuditTable.render(records()).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5 && lines[4] == "")
        #expect(lines[0].hasPrefix("TIME                 CLIENT"))
        #expect(lines[1].hasPrefix("2026-12-01 10:00:05  ci "))
        #expect(lines[2].hasPrefix("2026-12-01 10:01:05  web\\u{1b}[31m  "), "an escape is shown, not sent")
        #expect(lines[1].hasSuffix("$0.040  3f9a1c0b7e21 +1"))
        #expect(lines[2].hasSuffix("$0.167  -"))
        // Every column starts at one offset in every row.
        for header in ["CLIENT", "ROUTE", "OUTCOME", "MODEL", "DIGESTS"] {
            let offset = lines[0].range(of: header)!.lowerBound.utf16Offset(in: lines[0])
            for line in lines[1...2] {
                let before = line.utf16.index(line.utf16.startIndex, offsetBy: offset - 2)
                #expect(line[before...].hasPrefix("  ") && !line[line.utf16.index(before, offsetBy: 2)...].hasPrefix(" "),
                        "\(header) in \(line)")
            }
        }
        // STATUS and COST are numbers: aligned on the right under their headers.
        let statusEnd = lines[0].range(of: "STATUS")!.upperBound.utf16Offset(in: lines[0])
        #expect(lines.dropFirst().prefix(2).allSatisfy {
            let end = $0.utf16.index($0.utf16.startIndex, offsetBy: statusEnd)
            return $0[..<end].hasSuffix("200") || $0[..<end].hasSuffix("502")
        })
        #expect(lines[3] == "2 records, 1 cached, $0.207 spent")
        #expect(AuditTable.render([]) == "no records\n")
    }

    @Test func jsonLinesHaveEveryKeyInOneOrder() throws {
        let text = try AuditJSONLines.render(records())
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && text.hasSuffix("\n"))
        let keys = ["cached", "client", "cost_usd", "duration_ms", "image_digests", "model", "outcome", "parameters",
                    "prompt", "prompt_sha256", "request_id", "route", "status", "time"]
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object.keys.sorted() == keys)
            // Keys appear in the text in sorted order: the same order on every run.
            let positions = keys.map { line.range(of: "\"\($0)\":")!.lowerBound }
            #expect(positions == positions.sorted())
        }
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["time"] as? String == "2026-12-01T10:00:05.000Z")
        #expect(first["prompt"] is NSNull && first["request_id"] as? String == "req_1")
        #expect(first["parameters"] as? [String: String] == ["size": "1024x1024", "quality": "low", "n": "1"])
        #expect((first["image_digests"] as? [String])?.count == 2 && first["cost_usd"] as? Double == 0.04)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["prompt"] as? String == "a \"quoted\" prompt" && second["request_id"] is NSNull)
        #expect(second["client"] as? String == "web\u{1B}[31m" && !lines[1].contains("\u{1B}"), "escaped in JSON")
    }

    @Test func listingReadsTheFileAndPruningNeverCreatesOne() async throws {
        let database = AuditFixtures.database()
        let log = try AuditLog(path: database)
        for record in records() { await log.append(record) }
        await log.close()
        let table = try AuditListing.text(database: database, query: AuditQuery(client: "ci"), json: false)
        #expect(table.hasSuffix("1 record, 0 cached, $0.040 spent\n"))
        let json = try AuditListing.text(database: database, query: AuditQuery(limit: 1), json: true)
        #expect(json.split(separator: "\n").count == 1 && json.contains("\"status\":502"))
        let pruned = try await AuditListing.prune(database: database, before: AuditFixtures.base.addingTimeInterval(60))
        #expect(pruned.hasPrefix("removed 1 record before 2026-12-01T10:01:00.000Z"))

        let mistyped = database.deletingLastPathComponent().appendingPathComponent("audti.sqlite")
        await #expect(throws: AuditStoreError.missing(path: mistyped.path)) {
            try await AuditListing.prune(database: mistyped, before: Date())
        }
        #expect(!FileManager.default.fileExists(atPath: mistyped.path))
    }
}
