import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/v1/files`: upload (multipart `purpose` + `file`), retrieve, download (streamed from disk) and
/// delete, with the service's checks on purpose, format and size.
extension FakeOpenAIServer {
    static let filePurposes: Set<String> = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
    /// Any file (the service: 512 MB).
    static let maxFileBytes = 512 * 1024 * 1024

    func addFileRoutes(to router: Router<FakeRequestContext>) {
        router.post("/v1/files") { request, _ in
            await self.authorized(request) { requestID in try await self.upload(request, requestID: requestID) }
        }
        router.get("/v1/files/{id}") { request, context in
            await self.authorized(request) { _ in
                let id = context.parameters.get("id") ?? ""
                guard let file = await self.batches.file(id) else { throw Self.noFile(id) }
                return Self.json(file.json)
            }
        }
        router.get("/v1/files/{id}/content") { request, context in
            await self.authorized(request) { _ in
                let id = context.parameters.get("id") ?? ""
                guard await self.batches.file(id) != nil else { throw Self.noFile(id) }
                let body = try await FileIO().loadFile(path: await self.batches.path(of: id), context: context)
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
            }
        }
        router.delete("/v1/files/{id}") { request, context in
            await self.authorized(request) { _ in
                let id = context.parameters.get("id") ?? ""
                guard await self.batches.deleteFile(id) else { throw Self.noFile(id) }
                return Self.json(["id": id, "object": "file", "deleted": true])
            }
        }
    }

    private func upload(_ request: Request, requestID: String) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.maxFileBytes + 1024 * 1024)
        guard let form = FakeMultipartForm(contentType: request.headers[.contentType] ?? "", body: body) else {
            throw FakeAPIError.invalid("file", "Expected a multipart/form-data body with a boundary.",
                                       code: "invalid_request")
        }
        var purpose: String?
        var file: FakeMultipartForm.Part?
        var seconds: Int?
        for part in form.parts {
            switch part.name {
            case "purpose": purpose = String(decoding: part.body, as: UTF8.self)
            case "file": file = part
            case "expires_after[seconds]": seconds = Int(String(decoding: part.body, as: UTF8.self))
            case "expires_after[anchor]": continue
            default: throw FakeAPIError.unknown(part.name)
            }
        }
        guard let purpose, Self.filePurposes.contains(purpose) else {
            throw FakeAPIError.invalid("purpose", "Invalid value for 'purpose': expected one of "
                + Self.filePurposes.sorted().joined(separator: ", ") + ".")
        }
        guard let file else {
            throw FakeAPIError.invalid("file", "Missing required parameter: 'file'.", code: "missing_required_parameter")
        }
        guard file.body.count <= Self.maxFileBytes else {
            throw FakeAPIError.invalid("file", "File is too large: files may be at most 512 MB.")
        }
        if let seconds, !(3600...2_592_000).contains(seconds) {
            throw FakeAPIError.invalid("expires_after", "expires_after.seconds must be between 3600 and 2592000.")
        }
        let filename = file.filename ?? "upload"
        if purpose == "batch" {
            guard filename.lowercased().hasSuffix(".jsonl") else {
                throw FakeAPIError.invalid("file", "Invalid file format for Batch API. Must be .jsonl")
            }
            guard file.body.count <= configuration.batch.maxBatchFileBytes else {
                throw FakeAPIError.invalid("file", "File is too large: batch input files may be at most "
                    + "\(configuration.batch.maxBatchFileBytes) bytes (200 MB).")
            }
        }
        let stored = try await batches.addFile(filename: filename, purpose: purpose, bytes: file.body,
                                               expiresAfter: seconds ?? (purpose == "batch" ? 30 * 86_400 : nil))
        return Self.json(stored.json)
    }

    static func noFile(_ id: String) -> FakeAPIError {
        FakeAPIError(status: 404, message: "No such File object: \(id)", param: "id")
    }

    /// Records the request, checks the key, and runs `body`; a `FakeAPIError` it throws becomes the
    /// service's error envelope, anything else a 500.
    func authorized(_ request: Request, _ body: (String) async throws -> Response) async -> Response {
        let requestID = await state.begin()
        let response = await checked(request, requestID: requestID, body)
        await state.end()
        return response
    }

    private func checked(_ request: Request, requestID: String, _ body: (String) async throws -> Response) async
        -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let failure = authorize(headers)
        if headers["authorization"] != nil { headers["authorization"] = "Bearer [redacted]" }
        await state.record(RecordedRequest(path: request.uri.path, headers: headers, authorized: failure == nil,
                                           fields: [], files: [], contentLength: headers["content-length"].flatMap(Int.init),
                                           bodyBytes: 0))
        if let failure { return Self.errorResponse(failure, requestID: requestID) }
        do {
            var response = try await body(requestID)
            if let name = HTTPField.Name("x-request-id") { response.headers[name] = requestID }
            return response
        } catch let error as FakeAPIError {
            return Self.errorResponse(error, requestID: requestID)
        } catch {
            return Self.errorResponse(FakeAPIError(status: 500, message: "The fake failed: \(error)",
                                                   type: "server_error", code: "server_error"), requestID: requestID)
        }
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
