import Foundation

/// One line of the audit log: who asked for what, what it cost and how it ended. The same fields
/// as `KilnServeRecords.AuditRecord`, so the real log plugs in behind `ServeAuditSink` unchanged.
public struct ServeAuditRecord: Sendable, Hashable {
    public var time: Date
    public var client: String
    public var route: String
    public var promptSHA256: String
    /// The prompt itself only with `store_prompts: true`.
    public var prompt: String?
    public var model: String
    public var parameters: [String: String]
    public var imageDigests: [String]
    public var costUSD: Double
    public var cached: Bool
    public var requestID: String?
    public var status: Int
    /// `ok`, `cached`, `refused:<class>`, `upstream:<class>`.
    public var outcome: String
    public var durationMS: Int

    public init(time: Date, client: String, route: String, promptSHA256: String, prompt: String?, model: String,
                parameters: [String: String], imageDigests: [String], costUSD: Double, cached: Bool,
                requestID: String?, status: Int, outcome: String, durationMS: Int) {
        self.time = time
        self.client = client
        self.route = route
        self.promptSHA256 = promptSHA256
        self.prompt = prompt
        self.model = model
        self.parameters = parameters
        self.imageDigests = imageDigests
        self.costUSD = costUSD
        self.cached = cached
        self.requestID = requestID
        self.status = status
        self.outcome = outcome
        self.durationMS = durationMS
    }
}

/// Where audit records go (`KilnServeRecords.AuditLog` once merged). `append` never throws to the
/// caller: a failing log must not fail a request that was already paid for.
public protocol ServeAuditSink: Sendable {
    func append(_ record: ServeAuditRecord) async
    func close() async
    /// What each client has spent since `start` by the records kept: the server restores today's
    /// budgets from it when it starts, so a restart does not reset them.
    func spentSince(_ start: Date) async -> [String: Double]
}

extension ServeAuditSink {
    public func spentSince(_ start: Date) async -> [String: Double] { [:] }
}

/// Where counters go (`KilnServeRecords.ServeMetrics` once merged); `render` answers `/metrics`.
public protocol ServeMetricsSink: Sendable {
    func request(route: String, status: Int, seconds: Double)
    func upstreamError(class: String)
    func cacheHit(route: String)
    func cacheMiss(route: String)
    func spend(usd: Double, client: String)
    func render() -> String
}

/// No audit log: records are dropped.
public struct NoAuditSink: ServeAuditSink {
    public init() {}
    public func append(_ record: ServeAuditRecord) async {}
    public func close() async {}
}

/// No metrics: calls are dropped, `/metrics` is empty.
public struct NoMetricsSink: ServeMetricsSink {
    public init() {}
    public func request(route: String, status: Int, seconds: Double) {}
    public func upstreamError(class: String) {}
    public func cacheHit(route: String) {}
    public func cacheMiss(route: String) {}
    public func spend(usd: Double, client: String) {}
    public func render() -> String { "" }
}
