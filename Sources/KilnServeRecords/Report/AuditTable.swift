import Foundation
import KilnCore

/// Audit records as an aligned table for people: time, client, route, status, outcome, model, cost
/// and the images' digests shortened, then a total. Values come from a file anyone could edit, so
/// control characters are shown escaped: a record cannot move the cursor or forge a line.
public enum AuditTable {
    static let headers = ["TIME", "CLIENT", "ROUTE", "STATUS", "OUTCOME", "MODEL", "COST", "DIGESTS"]
    /// Columns aligned right (numbers).
    static let rightAligned: Set<Int> = [3, 6]
    /// Hex digits shown of each digest: enough to tell images apart and find them in the cache.
    static let digestPrefix = 12

    public static func render(_ records: [AuditRecord]) -> String {
        guard !records.isEmpty else { return "no records\n" }
        let rows = [headers] + records.map(cells)
        let widths = headers.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = ""
        for row in rows {
            let padded = row.indices.map { column -> String in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }
            text += padded.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        let total = records.reduce(0) { $0 + ($1.costUSD.isFinite ? $1.costUSD : 0) }
        let cached = records.filter(\.cached).count
        text += "\(records.count) record\(records.count == 1 ? "" : "s"), \(cached) cached, \(dollars(total)) spent\n"
        return text
    }

    static func cells(_ r: AuditRecord) -> [String] {
        let time = String(AuditTime.iso(r.time).prefix(19)).replacingOccurrences(of: "T", with: " ")
        return [time, visible(r.client), visible(r.route), String(r.status), visible(r.outcome), visible(r.model),
                dollars(r.costUSD), digests(r.imageDigests)]
    }

    /// `$0.042`: three decimals (OpenAI's smallest image prices are a cent and a fraction).
    static func dollars(_ usd: Double) -> String {
        "$" + String(format: "%.3f", usd.isFinite ? usd : 0)
    }

    /// The first digest's prefix, and how many more: `3f9a1c0b7e21 +2`; `-` for none.
    static func digests(_ all: [String]) -> String {
        guard let first = all.first else { return "-" }
        let head = visible(String(first.prefix(digestPrefix)))
        return all.count == 1 ? head : "\(head) +\(all.count - 1)"
    }

    /// Control characters as `\u{…}` escapes (KilnCore's rule); an empty value as `-`.
    static func visible(_ text: String) -> String {
        text.isEmpty ? "-" : PathRules.visible(text)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
