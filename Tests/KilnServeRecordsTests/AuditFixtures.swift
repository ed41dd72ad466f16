import Foundation
import GRDB
import KilnCore
import KilnServeRecords
import KilnTestSupport

/// Records and files the audit tests share.
enum AuditFixtures {
    /// 2026-12-01T10:00:00Z.
    static let base = Date(timeIntervalSince1970: 1_796_119_200)

    static func database() -> URL {
        TemporaryFolder.make("kiln-audit").appendingPathComponent("nested/serve/audit.sqlite")
    }

    /// A record `seconds` after `base`, with every field set from `n`.
    static func record(_ n: Int, seconds: Double = 0, client: String = "ci", prompt: String? = nil) -> AuditRecord {
        AuditRecord(time: base.addingTimeInterval(seconds), client: client, route: "/v1/images/generations",
                    promptSHA256: Digest.sha256("prompt \(n)"), prompt: prompt, model: "gpt-image-1",
                    parameters: ["size": "1024x1024", "quality": "low", "n": "1"],
                    imageDigests: [Digest.sha256("image \(n)")], costUSD: 0.011, cached: n % 2 == 0,
                    requestID: "req_\(n)", status: 200, outcome: n % 2 == 0 ? "cached" : "ok", durationMS: n)
    }

    /// The bytes of the database and its WAL and shared-memory files, whichever exist.
    static func bytesOnDisk(_ database: URL) -> Data {
        ["", "-wal", "-shm"].reduce(into: Data()) { bytes, suffix in
            bytes += (try? Data(contentsOf: URL(fileURLWithPath: database.path + suffix))) ?? Data()
        }
    }

    /// Runs `sql` on the file through a connection of its own, as another program would.
    static func execute(_ sql: String, on database: URL) throws {
        let queue = try DatabaseQueue(path: database.path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
    }
}
