import Foundation

/// A batch's status. The service may add statuses: one Kiln does not know is kept as `.other`
/// (and treated as not final), never a decoding failure.
public enum BatchStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    case validating, failed, inProgress, finalizing, completed, expired, cancelling, cancelled
    case other(String)

    public init(_ text: String) {
        switch text {
        case "validating": self = .validating
        case "failed": self = .failed
        case "in_progress": self = .inProgress
        case "finalizing": self = .finalizing
        case "completed": self = .completed
        case "expired": self = .expired
        case "cancelling": self = .cancelling
        case "cancelled": self = .cancelled
        default: self = .other(text)
        }
    }

    /// As the API spells it.
    public var description: String {
        switch self {
        case .validating: "validating"
        case .failed: "failed"
        case .inProgress: "in_progress"
        case .finalizing: "finalizing"
        case .completed: "completed"
        case .expired: "expired"
        case .cancelling: "cancelling"
        case .cancelled: "cancelled"
        case let .other(text): text
        }
    }

    /// No more change will come: read the output and error files (either may be absent).
    public var isFinal: Bool { [.completed, .failed, .expired, .cancelled].contains(self) }

    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// `OpenAIFile`: an uploaded file, or a batch's output or error file.
public struct FileObject: Sendable, Hashable, Codable {
    public var id: String
    public var object: String?
    public var bytes: Int
    public var createdAt: Int
    public var expiresAt: Int?
    public var filename: String
    public var purpose: String
    /// Deprecated by the spec but still sent: `uploaded`, `processed` or `error`.
    public var status: String?
    public var statusDetails: String?
}

/// `BatchRequestCounts`.
public struct BatchRequestCounts: Sendable, Hashable, Codable {
    public var total: Int
    public var completed: Int
    public var failed: Int
}

/// `BatchError`: why an input file was rejected, with the line when there is one.
public struct BatchErrorItem: Sendable, Hashable, Codable {
    public var code: String?
    public var message: String?
    public var param: String?
    public var line: Int?
}

/// A batch's token usage (batches created after 2025-09-07).
public struct BatchUsage: Sendable, Hashable, Codable {
    public struct InputDetails: Sendable, Hashable, Codable { public var cachedTokens: Int? }
    public struct OutputDetails: Sendable, Hashable, Codable { public var reasoningTokens: Int? }
    public var inputTokens: Int?
    public var inputTokensDetails: InputDetails?
    public var outputTokens: Int?
    public var outputTokensDetails: OutputDetails?
    public var totalTokens: Int?
}

/// `Batch`: every field the spec lists. Only `id`, `endpoint`, `input_file_id`, `status` and
/// `created_at` must be present; every other field may be missing or `null` (CONTRACT.md: the spec
/// types them non-nullable, but the service and the SDKs send `null` until they are set).
public struct BatchObject: Sendable, Hashable, Codable {
    public struct Errors: Sendable, Hashable, Codable {
        public var object: String?
        public var data: [BatchErrorItem]?
    }

    public var id: String
    public var object: String?
    public var endpoint: String
    public var model: String?
    public var errors: Errors?
    public var inputFileId: String
    public var completionWindow: String?
    public var status: BatchStatus
    public var outputFileId: String?
    public var errorFileId: String?
    public var createdAt: Int
    public var inProgressAt: Int?
    public var expiresAt: Int?
    public var finalizingAt: Int?
    public var completedAt: Int?
    public var failedAt: Int?
    public var expiredAt: Int?
    public var cancellingAt: Int?
    public var cancelledAt: Int?
    public var requestCounts: BatchRequestCounts?
    public var usage: BatchUsage?
    public var metadata: [String: String]?

    /// The input file's errors (`failed` at validation), or none.
    public var validationErrors: [BatchErrorItem] { errors?.data ?? [] }
}

/// `ListBatchesResponse`: a page of batches, newest first.
public struct BatchList: Sendable, Hashable, Codable {
    public var data: [BatchObject]
    public var firstId: String?
    public var lastId: String?
    public var hasMore: Bool
}

/// `DeleteFileResponse`.
struct DeletedFile: Decodable {
    var id: String
    var deleted: Bool
}

extension JSONDecoder {
    /// The decoder for the Files and Batches objects: the API's snake_case keys.
    static var batchAPI: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
