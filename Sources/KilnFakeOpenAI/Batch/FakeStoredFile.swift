import Foundation

/// A file uploaded to (or written by) the fake's Files API; its bytes live on disk under the
/// store's folder, never in this record.
struct FakeStoredFile: Codable, Sendable {
    var id: String
    var bytes: Int
    var createdAt: Int
    var expiresAt: Int?
    var filename: String
    var purpose: String

    /// The `OpenAIFile` object as the service sends it (with the deprecated `status` the SDKs still read).
    var json: [String: Any] {
        ["id": id, "object": "file", "bytes": bytes, "created_at": createdAt,
         "expires_at": expiresAt as Any? ?? NSNull(), "filename": filename, "purpose": purpose,
         "status": "processed", "status_details": NSNull()]
    }
}

/// One error of a rejected input file: `BatchError {code, message, param, line}`.
struct FakeBatchLineError: Codable, Sendable, Hashable {
    var code: String
    var message: String
    var line: Int?

    var json: [String: Any] {
        ["code": code, "message": message, "param": NSNull(), "line": line as Any? ?? NSNull()]
    }
}

/// A batch as the fake keeps it: the `Batch` object's fields plus its script and cancel flag.
struct FakeBatch: Codable, Sendable {
    var id: String
    var endpoint: String
    var inputFileID: String
    var completionWindow = "24h"
    var status = "validating"
    var outputFileID: String?
    var errorFileID: String?
    var createdAt: Int
    var inProgressAt: Int?
    var expiresAt: Int?
    var finalizingAt: Int?
    var completedAt: Int?
    var failedAt: Int?
    var expiredAt: Int?
    var cancellingAt: Int?
    var cancelledAt: Int?
    var total = 0
    var completed = 0
    var failed = 0
    var metadata: [String: String]?
    var errors: [FakeBatchLineError]?
    var model: String?
    var inputTokens = 0
    var outputTokens = 0
    var script: FakeBatchScript
    var cancelRequested = false

    static let finalStatuses: Set<String> = ["completed", "failed", "expired", "cancelled"]

    var isFinal: Bool { Self.finalStatuses.contains(status) }

    /// The `Batch` object, with `null` for fields not yet set, as the service and the SDKs spell it.
    var json: [String: Any] {
        func value(_ v: Any?) -> Any { v ?? NSNull() }
        var object: [String: Any] = [
            "id": id, "object": "batch", "endpoint": endpoint, "input_file_id": inputFileID,
            "completion_window": completionWindow, "status": status, "output_file_id": value(outputFileID),
            "error_file_id": value(errorFileID), "created_at": createdAt, "in_progress_at": value(inProgressAt),
            "expires_at": value(expiresAt), "finalizing_at": value(finalizingAt), "completed_at": value(completedAt),
            "failed_at": value(failedAt), "expired_at": value(expiredAt), "cancelling_at": value(cancellingAt),
            "cancelled_at": value(cancelledAt), "model": value(model),
            "request_counts": ["total": total, "completed": completed, "failed": failed],
            "metadata": value(metadata),
        ]
        object["errors"] = errors.map { ["object": "list", "data": $0.map(\.json)] } ?? NSNull()
        object["usage"] = [
            "input_tokens": inputTokens, "input_tokens_details": ["cached_tokens": 0],
            "output_tokens": outputTokens, "output_tokens_details": ["reasoning_tokens": 0],
            "total_tokens": inputTokens + outputTokens,
        ]
        return object
    }
}
