import Foundation
import KilnServeRecords
import Testing

/// `--since`, `--until` and `--prune-before`: days, instants and ages, against a fixed now.
@Suite struct AuditTimeTests {
    /// 2026-12-03T12:00:00Z.
    let now = Date(timeIntervalSince1970: 1_796_299_200)

    @Test(arguments: [("90s", 90.0), ("30m", 1800), ("1h", 3600), ("7d", 604_800), ("2w", 1_209_600), ("0h", 0)])
    func agesCountBackFromNow(text: String, seconds: Double) throws {
        #expect(try AuditTime.parse(text, now: now) == now.addingTimeInterval(-seconds))
    }

    @Test(arguments: [
        ("2026-12-01", 1_796_083_200.0),
        ("2026-12-01T10:00:00Z", 1_796_119_200),
        ("2026-12-01T12:00:00+02:00", 1_796_119_200),
        ("2026-12-01T10:00:00.250Z", 1_796_119_200.25),
        ("2024-02-29", 1_709_164_800),
    ])
    func datesAndInstants(text: String, epoch: Double) throws {
        #expect(try AuditTime.parse(text, now: now) == Date(timeIntervalSince1970: epoch))
    }

    @Test(arguments: ["", "yesterday", "1y", "-1h", "h", "1.5h", "1 h", "2026-13-01", "2026-02-30", "2025-02-29",
                      "26-12-01", "2026-12-01T10:00:00", "2026/12/01", "99999999999999d", "1000000d"])
    func anythingElseIsRefusedWithTheAcceptedForms(text: String) {
        let error = #expect(throws: AuditTime.ParseError.self) { try AuditTime.parse(text, option: "--until", now: now) }
        #expect(error?.description == "--until '\(text)' is not a time: use \(AuditTime.acceptedForms)")
        #expect(AuditTime.acceptedForms.contains("2026-12-01T10:00:00Z") && AuditTime.acceptedForms.contains("7d"))
    }
}
