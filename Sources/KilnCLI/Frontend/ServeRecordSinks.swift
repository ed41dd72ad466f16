import Foundation
import KilnServe
import KilnServeRecords

/// The server's audit and metrics sinks backed by `KilnServeRecords`: KilnServe declares what it
/// records, KilnServeRecords keeps it (SQLite, Prometheus); the CLI, which sees both, joins them.
struct AuditLogSink: ServeAuditSink {
    let log: AuditLog
    /// The database file, read for today's spend at start-up.
    let path: URL

    func spentSince(_ start: Date) async -> [String: Double] {
        guard let reader = try? AuditReader(path: path), let records = try? reader.records(AuditQuery(since: start)) else { return [:] }
        return records.reduce(into: [:]) { $0[$1.client, default: 0] += $1.costUSD }
    }

    func append(_ record: ServeAuditRecord) async {
        await log.append(AuditRecord(
            time: record.time, client: record.client, route: record.route, promptSHA256: record.promptSHA256,
            prompt: record.prompt, model: record.model, parameters: record.parameters,
            imageDigests: record.imageDigests, costUSD: record.costUSD, cached: record.cached,
            requestID: record.requestID, status: record.status, outcome: record.outcome,
            durationMS: record.durationMS))
    }

    func close() async {
        await log.close()
    }
}

extension ServeMetrics: ServeMetricsSink {}
