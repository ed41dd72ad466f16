import Foundation

/// Which records `AuditReader.records(_:)` returns. Every filter is optional; together they all apply.
public struct AuditQuery: Sendable, Equatable {
    /// Records at or after this time (inclusive).
    public var since: Date?
    /// Records before this time (exclusive), so `--since D --until E` and `--since E` never overlap.
    public var until: Date?
    /// Records of this client only (exact name).
    public var client: String?
    /// At most this many: the newest ones, still returned oldest first.
    public var limit: Int?

    public init(since: Date? = nil, until: Date? = nil, client: String? = nil, limit: Int? = nil) {
        self.since = since
        self.until = until
        self.client = client
        self.limit = limit
    }
}
