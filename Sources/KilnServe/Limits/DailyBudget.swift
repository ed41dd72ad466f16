import Foundation

/// What each client may spend per UTC day. A request reserves its estimate before the provider
/// is called (so concurrent requests cannot together overshoot), then settles to what the call
/// actually cost; a cache hit reserves nothing.
public final class DailyBudget: @unchecked Sendable {
    public let limitUSD: Double?
    private let lock = NSLock()
    private var spent: [String: (day: Int, usd: Double)] = [:]

    public init(limitUSD: Double?) {
        self.limitUSD = limitUSD
    }

    /// A reservation to settle or release.
    public struct Reservation: Sendable {
        let client: String
        let day: Int
        let usd: Double
    }

    public enum Refusal: Error, Sendable {
        case over(limit: Double, spent: Double, estimate: Double)
    }

    static func day(_ date: Date) -> Int { Int(date.timeIntervalSince1970 / 86_400) }

    /// Reserves `estimate` for `client`, or throws `Refusal` when it would pass the day's limit.
    public func reserve(_ client: String, estimate: Double, now: Date = Date()) throws -> Reservation {
        let day = Self.day(now)
        return try lock.withLock {
            var entry = spent[client].flatMap { $0.day == day ? $0 : nil } ?? (day: day, usd: 0)
            if let limit = limitUSD, entry.usd + estimate > limit + 1e-12 {
                throw Refusal.over(limit: limit, spent: entry.usd, estimate: estimate)
            }
            entry.usd += estimate
            spent[client] = entry
            return Reservation(client: client, day: day, usd: estimate)
        }
    }

    /// Replaces the reservation by the actual cost (0 to release it, when nothing was paid).
    public func settle(_ reservation: Reservation, actual: Double) {
        lock.withLock {
            guard var entry = spent[reservation.client], entry.day == reservation.day else { return }
            entry.usd = max(0, entry.usd - reservation.usd + actual)
            spent[reservation.client] = entry
        }
    }

    /// Midnight UTC of `now`'s day: where today's spend starts.
    public static func startOfDay(_ now: Date = Date()) -> Date {
        Date(timeIntervalSince1970: Double(day(now)) * 86_400)
    }

    /// Today's spend as the audit log kept it, at start-up: a restart must not reset a budget.
    public func restore(_ spentToday: [String: Double], now: Date = Date()) {
        let today = Self.day(now)
        lock.withLock {
            for (client, usd) in spentToday where usd > 0 {
                let earlier = spent[client].flatMap { $0.day == today ? $0.usd : nil } ?? 0
                spent[client] = (day: today, usd: max(earlier, usd))
            }
        }
    }

    /// Spent (and reserved) today by `client`.
    public func spentToday(_ client: String, now: Date = Date()) -> Double {
        lock.withLock { spent[client].flatMap { $0.day == Self.day(now) ? $0.usd : nil } ?? 0 }
    }
}
