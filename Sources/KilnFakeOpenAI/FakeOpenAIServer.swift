import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import KilnCore
import Logging

/// A fake of the OpenAI Images API (`POST /v1/images/generations`, `POST /v1/images/edits`, and the
/// Files and Batches endpoints a batch of them goes through) that
/// validates like the live service (CONTRACT.md), answers with real images of the requested size and
/// format plus usage and `x-request-id`, plays scripted faults, and records every request.
public struct FakeOpenAIServer: Sendable {
    public let configuration: FakeOpenAIConfiguration
    public let state: FakeOpenAIState
    /// Files and batches (`/v1/files`, `/v1/batches`).
    public let batches: FakeBatchStore

    public init(configuration: FakeOpenAIConfiguration = .init(), state: FakeOpenAIState = FakeOpenAIState()) {
        self.configuration = configuration
        self.state = state
        batches = FakeBatchStore(stateDirectory: configuration.batch.stateDirectory)
    }

    /// A Hummingbird application serving the fake on `host:port` (port 0 picks a free one; read it in
    /// `onServerRunning` from the channel's local address). `backlog`: pending connections the kernel
    /// queues, large enough that a benchmark's burst of connections is not what it measures. Never
    /// logs the key or request bodies.
    public func makeApplication(host: String = "127.0.0.1", port: Int = 0, backlog: Int = 1024, logger: Logger? = nil,
                                onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let router = Router(context: FakeRequestContext.self)
        router.post("/v1/images/generations") { request, context in
            await self.respond(request, channel: context.channel, edit: false)
        }
        router.post("/v1/images/edits") { request, context in
            await self.respond(request, channel: context.channel, edit: true)
        }
        addBatchRoutes(to: router)
        Task { await self.resumeUnfinishedBatches() }
        var log = logger ?? Logger(label: "kiln.fake-openai")
        if logger == nil { log.logLevel = .warning }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), backlog: backlog),
                           onServerRunning: onServerRunning, logger: log)
    }

    func respond(_ request: Request, channel: any Channel, edit: Bool) async -> Response {
        let requestID = await state.begin()
        await state.watch(channel)
        do {
            let body = try await request.body.collect(upTo: configuration.maxRequestBytes)
            let result = await handle(request, channel: channel, body: body, edit: edit, requestID: requestID)
            await state.end()
            return result
        } catch {
            await state.end()
            return Self.errorResponse(FakeAPIError.invalid("body", "Request body too large or unreadable."),
                                      requestID: requestID)
        }
    }

    static func errorResponse(_ error: FakeAPIError, requestID: String) -> Response {
        var headers = error.headers
        headers["content-type"] = "application/json"
        return response(status: error.status, body: error.body, headers: headers, requestID: requestID)
    }

    static func response(status: Int, body: Data, headers: [String: String], requestID: String) -> Response {
        var fields = HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        if let name = HTTPField.Name("x-request-id") { fields[name] = requestID }
        return Response(status: HTTPResponse.Status(code: status), headers: fields,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
