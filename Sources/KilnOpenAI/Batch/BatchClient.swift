import AsyncHTTPClient
import Foundation
import KilnCore
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// OpenAI's Files and Batches endpoints, for Kiln's batch mode: upload input files, create, poll,
/// list and cancel batches, download output and error files, delete files.
///
/// Uses what `OpenAIProvider` uses: the same `OpenAIConfiguration` (base URL, key, organization,
/// project, headers, timeouts), the same HTTP client settings and stall watchdog, retries with the
/// same policy, errors classified by `OpenAIErrorClassifier` and `TransportFailure`, and every
/// message and log line passed through `SecretRedactor`. Creating a batch is not idempotent: after
/// a failure that may have reached the service, Kiln looks for a batch made from the same input
/// file before it sends another, so a retry never pays twice.
///
/// Owns one `HTTPClient`: call `shutdown()` once when done (or use `withClient`).
public final class BatchClient: Sendable {
    public let configuration: OpenAIConfiguration
    let client: HTTPClient
    let logger: Logger
    let runtime: OpenAIRuntime
    let redactor: SecretRedactor
    let stalls = StallLog()

    public init(configuration: OpenAIConfiguration, logger: Logger = Logger(label: "kiln.openai.batch"),
                runtime: OpenAIRuntime = .live) {
        self.configuration = configuration
        self.logger = logger
        self.runtime = runtime
        redactor = SecretRedactor(secrets: configuration.secrets)
        client = HTTPClient(eventLoopGroupProvider: .singleton,
                            configuration: OpenAIProvider.clientConfiguration(for: configuration, stalls: stalls))
    }

    /// Runs `body` with a client and shuts it down afterwards, whether `body` throws or not.
    public static func withClient<T: Sendable>(configuration: OpenAIConfiguration,
                                               logger: Logger = Logger(label: "kiln.openai.batch"),
                                               runtime: OpenAIRuntime = .live,
                                               _ body: (BatchClient) async throws -> T) async throws -> T {
        let client = BatchClient(configuration: configuration, logger: logger, runtime: runtime)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Closes every connection. Call once, after the last call.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// Uploads a file (`POST /files`, multipart `purpose` + `file`), streamed from disk.
    /// - Parameter purpose: `batch` for input files; the spec does not say which an edit's input
    ///   image needs (`vision` and `user_data` are the candidates).
    /// - Throws: `ProviderError` (the file is unreadable, or the service refused it).
    public func uploadFile(path: String, purpose: String = "batch") async throws -> FileObject {
        let name = (path as NSString).lastPathComponent
        let form = try MultipartFileUpload(path: path, purpose: purpose)
        let subject = "batch upload of \(name)"
        return try decode(FileObject.self, subject, try await exchange(subject, .POST, "/files", idempotent: true,
                                                                       body: { (form.contentType, form.body()) }))
    }

    /// Creates a batch of `inputFileID`'s lines for `endpoint`, completion window 24 h.
    /// - Parameter metadata: up to 16 keys, e.g. the build it belongs to, so it can be found again.
    public func createBatch(inputFileID: String, endpoint: BatchEndpoint, metadata: [String: String] = [:])
        async throws -> BatchObject {
        var members: [(String, JSONValue)] = [("input_file_id", .string(inputFileID)),
                                              ("endpoint", .string(endpoint.rawValue)), ("completion_window", "24h")]
        if !metadata.isEmpty {
            members.append(("metadata", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        let body = try OpenAIRequestBody.encode(.object(members))
        let subject = "batch of \(inputFileID)"
        let answer = try await exchange(subject, .POST, "/batches", idempotent: false, recover: {
            try? await self.findBatch(inputFileID: inputFileID)
        }, body: {
            ("application/json", .bytes(ByteBuffer(data: body)))
        })
        switch answer {
        case let .recovered(batch): return batch
        case .answer: return try decode(BatchObject.self, subject, answer)
        }
    }

    /// The batch's current state (`GET /batches/{id}`).
    public func batch(id: String) async throws -> BatchObject {
        let subject = "batch \(id)"
        return try decode(BatchObject.self, subject, try await exchange(subject, .GET, "/batches/\(Self.segment(id))",
                                                                        idempotent: true, body: nil))
    }

    /// A page of batches, newest first (`GET /batches?limit&after`); `limit` 1–100.
    public func listBatches(after: String? = nil, limit: Int = 20) async throws -> BatchList {
        var query = "?limit=\(min(max(limit, 1), 100))"
        if let after { query += "&after=\(Self.segment(after))" }
        return try decode(BatchList.self, "batch list", try await exchange("batch list", .GET, "/batches" + query,
                                                                           idempotent: true, body: nil))
    }

    /// Asks the service to cancel (`cancelling`, then `cancelled` with the results that arrived).
    public func cancel(id: String) async throws -> BatchObject {
        let subject = "cancel of batch \(id)"
        return try decode(BatchObject.self, subject, try await exchange(subject, .POST,
                                                                        "/batches/\(Self.segment(id))/cancel",
                                                                        idempotent: true, body: nil))
    }

    /// Deletes a file (`DELETE /files/{id}`); false when the service says it was not deleted.
    @discardableResult
    public func deleteFile(id: String) async throws -> Bool {
        let subject = "delete of file \(id)"
        return try decode(DeletedFile.self, subject, try await exchange(subject, .DELETE, "/files/\(Self.segment(id))",
                                                                        idempotent: true, body: nil)).deleted
    }

    /// The newest batch made from `inputFileID` among the last 100, if any.
    public func findBatch(inputFileID: String) async throws -> BatchObject? {
        try await listBatches(limit: 100).data.first { $0.inputFileId == inputFileID }
    }

    /// An id as one path segment: ids are letters, digits, `-` and `_`; anything else is escaped.
    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? id
    }

    private func decode<T: Decodable>(_ type: T.Type, _ subject: String, _ answer: BatchExchange) throws -> T {
        guard case let .answer(bytes, requestID) = answer else {
            throw ProviderError(.badResponse, "\(subject): no answer to decode.")
        }
        do {
            return try JSONDecoder.batchAPI.decode(T.self, from: Data(buffer: bytes))
        } catch {
            throw ProviderError(.badResponse, "\(subject): OpenAI's answer is not the \(T.self) Kiln expects "
                + "(\(redactor.redact(String(describing: error)).prefix(300))).", requestID: requestID)
        }
    }
}
