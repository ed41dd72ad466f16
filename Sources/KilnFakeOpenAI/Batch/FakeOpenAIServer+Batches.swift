import Foundation
import Hummingbird
import KilnCore
import NIOCore
import NIOFoundationCompat

/// `/v1/batches`: create (then run in compressed time, `FakeOpenAIServer+BatchRun`), retrieve,
/// list newest first, cancel; and `GET /fake/stats`, the fake's own counters for tests.
extension FakeOpenAIServer {
    static let imageEndpoints: Set<String> = ["/v1/images/generations", "/v1/images/edits"]
    static let batchEndpoints: Set<String> = [
        "/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions", "/v1/moderations",
        "/v1/images/generations", "/v1/images/edits", "/v1/videos",
    ]

    func addBatchRoutes(to router: Router<FakeRequestContext>) {
        addFileRoutes(to: router)
        router.post("/v1/batches") { request, _ in
            await self.authorized(request) { _ in try await self.createBatch(request) }
        }
        router.get("/v1/batches") { request, _ in
            await self.authorized(request) { _ in
                let limitText = request.uri.queryParameters.get("limit")
                let limit = limitText.map { Int($0) ?? -1 } ?? 20
                guard (1...100).contains(limit) else {
                    throw FakeAPIError.invalid("limit", "limit must be an integer between 1 and 100.")
                }
                let after = request.uri.queryParameters.get("after")
                let page = await self.batches.list(after: after, limit: limit)
                return Self.json(["object": "list", "data": page.batches.map(\.json),
                                  "first_id": page.batches.first?.id as Any? ?? NSNull(),
                                  "last_id": page.batches.last?.id as Any? ?? NSNull(), "has_more": page.hasMore])
            }
        }
        router.get("/v1/batches/{id}") { request, context in
            await self.authorized(request) { _ in
                let id = context.parameters.get("id") ?? ""
                guard let batch = await self.batches.batch(id) else { throw Self.noBatch(id) }
                return Self.json(batch.json)
            }
        }
        router.post("/v1/batches/{id}/cancel") { request, context in
            await self.authorized(request) { _ in
                let id = context.parameters.get("id") ?? ""
                guard let batch = await self.batches.batch(id) else { throw Self.noBatch(id) }
                guard batch.status == "validating" || batch.status == "in_progress" || batch.status == "cancelling" else {
                    throw FakeAPIError(status: 409, message: "Cannot cancel a batch with status '\(batch.status)'.")
                }
                let now = Int(Date().timeIntervalSince1970)
                let cancelling = await self.batches.update(id) { batch in
                    guard batch.status != "cancelling" else { return }
                    batch.status = "cancelling"
                    batch.cancellingAt = now
                    batch.cancelRequested = true
                }
                return Self.json((cancelling ?? batch).json)
            }
        }
        router.get("/fake/stats") { _, _ in
            let requests = await self.state.requests
            var byPath: [String: Int] = [:]
            for request in requests { byPath[request.path, default: 0] += 1 }
            return Self.json(["requests": requests.count, "requests_by_path": byPath,
                              "submissions": await self.batches.submissionCounts,
                              "batches": await self.batches.batchCount, "files": await self.batches.fileCount])
        }
    }

    private func createBatch(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        let members = try Self.jsonObject(Data(buffer: body))
        var input: String?, endpoint: String?, window: String?
        var metadata: [String: String]?
        for (key, value) in members {
            switch (key, value) {
            case ("input_file_id", .string(let text)): input = text
            case ("endpoint", .string(let text)): endpoint = text
            case ("completion_window", .string(let text)): window = text
            case ("metadata", .null): continue
            case ("metadata", .object(let pairs)):
                guard pairs.count <= 16 else { throw FakeAPIError.invalid("metadata", "metadata may have at most 16 keys.") }
                var map: [String: String] = [:]
                for (name, item) in pairs {
                    guard case let .string(text) = item, name.count <= 64, text.count <= 512 else {
                        throw FakeAPIError.invalid("metadata", "metadata values must be strings of at most 512 characters.")
                    }
                    map[name] = text
                }
                metadata = map
            case ("output_expires_after", _): continue
            case ("input_file_id", _), ("endpoint", _), ("completion_window", _), ("metadata", _):
                throw FakeAPIError.invalid(key, "Invalid type for '\(key)'.", code: "invalid_type")
            default: throw FakeAPIError.unknown(key)
            }
        }
        guard let input else {
            throw FakeAPIError.invalid("input_file_id", "Missing required parameter: 'input_file_id'.",
                                       code: "missing_required_parameter")
        }
        guard let endpoint, Self.batchEndpoints.contains(endpoint) else {
            throw FakeAPIError.invalid("endpoint", "Invalid value for 'endpoint': '\(endpoint ?? "")'.")
        }
        guard Self.imageEndpoints.contains(endpoint) else {
            throw FakeAPIError.invalid("endpoint", "The fake serves only /v1/images/generations and /v1/images/edits.")
        }
        guard window == "24h" else {
            throw FakeAPIError.invalid("completion_window", "Invalid value for 'completion_window': only '24h' is supported.")
        }
        guard let file = await batches.file(input) else {
            throw FakeAPIError(status: 404, message: "No such File object: \(input)", param: "input_file_id")
        }
        guard file.purpose == "batch" else {
            throw FakeAPIError.invalid("input_file_id", "The input file must be uploaded with purpose 'batch', not "
                + "'\(file.purpose)'.")
        }
        let batch = await batches.createBatch(endpoint: endpoint, inputFileID: input, metadata: metadata,
                                              defaultScript: configuration.batch.script)
        Task { await self.runBatch(batch.id) }
        return Self.json(batch.json)
    }

    static func noBatch(_ id: String) -> FakeAPIError {
        FakeAPIError(status: 404, message: "No batch found with id '\(id)'.", param: "batch_id")
    }

    /// Batches a restarted fake found unfinished in its state directory run again from their start.
    func resumeUnfinishedBatches() async {
        for id in await batches.unfinished {
            await batches.update(id) { batch in
                (batch.completed, batch.failed) = (0, 0)
                if batch.status != "cancelling" { batch.status = "validating" }
            }
            Task { await self.runBatch(id) }
        }
    }
}
