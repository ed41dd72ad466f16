import Foundation

/// The times `kiln serve audit --since/--until/--prune-before` take: a day (`2026-12-01`, midnight
/// UTC), an instant (`2026-12-01T10:00:00Z`, or with an offset such as `+02:00`, optionally with
/// fractional seconds), or an age counted back from now (`90s`, `30m`, `1h`, `7d`, `2w`).
public enum AuditTime {
    public static let acceptedForms = "a date (2026-12-01, midnight UTC), a date and time "
        + "(2026-12-01T10:00:00Z or 2026-12-01T10:00:00+02:00) or an age before now (90s, 30m, 1h, 7d, 2w)"

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var option: String
        public var value: String
        public var description: String { "\(option) '\(value)' is not a time: use \(AuditTime.acceptedForms)" }
    }

    /// Seconds per unit of an age.
    static let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
    /// Ages past this (about 100 years) are refused: they are typos, and they keep the arithmetic finite.
    static let maximumAge: Double = 100 * 366 * 86_400

    /// Parses `text`; `option` names the flag in the error. `now` is injected so tests are exact.
    public static func parse(_ text: String, option: String = "--since", now: Date = Date()) throws -> Date {
        let fail = ParseError(option: option, value: text)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let unit = trimmed.last, let seconds = units[unit] {
            let digits = trimmed.dropLast()
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 12,
                  let count = Double(digits), count * seconds <= maximumAge else { throw fail }
            return now.addingTimeInterval(-count * seconds)
        }
        if isDay(trimmed) {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate, .withDashSeparatorInDate]
            formatter.timeZone = TimeZone(identifier: "UTC")
            guard let date = formatter.date(from: trimmed), formatter.string(from: date) == trimmed else { throw fail }
            return date
        }
        guard trimmed.count >= 17, trimmed.contains("T") else { throw fail }
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds]] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return date }
        }
        throw fail
    }

    /// `YYYY-MM-DD`, exactly: the formatter alone would accept other shapes.
    private static func isDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { i, b in i == 4 || i == 7 || (b >= 0x30 && b <= 0x39) }
    }

    /// A time as the table and JSON Lines show it: ISO-8601 UTC with milliseconds.
    public static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
