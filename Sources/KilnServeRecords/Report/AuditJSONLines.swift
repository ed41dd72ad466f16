import Foundation
import KilnCore

/// Audit records as JSON Lines for programs: one object per record and line, keys sorted (so the
/// order is stable), every key present (`null` for no prompt or request id), times in ISO-8601 UTC.
public enum AuditJSONLines {
    public static func render(_ records: [AuditRecord]) throws -> String {
        var text = ""
        for record in records {
            text += try CanonicalJSON.string(Line(record)) + "\n"
        }
        return text
    }

    struct Line: Encodable {
        var record: AuditRecord
        init(_ record: AuditRecord) { self.record = record }

        enum Keys: String, CodingKey {
            case time, client, route, prompt_sha256, prompt, model, parameters, image_digests, cost_usd, cached,
                 request_id, status, outcome, duration_ms
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(AuditTime.iso(record.time), forKey: .time)
            try c.encode(record.client, forKey: .client)
            try c.encode(record.route, forKey: .route)
            try c.encode(record.promptSHA256, forKey: .prompt_sha256)
            try c.encode(record.prompt, forKey: .prompt)
            try c.encode(record.model, forKey: .model)
            try c.encode(record.parameters, forKey: .parameters)
            try c.encode(record.imageDigests, forKey: .image_digests)
            try c.encode(record.costUSD.isFinite ? record.costUSD : 0, forKey: .cost_usd)
            try c.encode(record.cached, forKey: .cached)
            try c.encode(record.requestID, forKey: .request_id)
            try c.encode(record.status, forKey: .status)
            try c.encode(record.outcome, forKey: .outcome)
            try c.encode(record.durationMS, forKey: .duration_ms)
        }
    }
}
