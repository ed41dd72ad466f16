import AsyncHTTPClient
import Foundation
import KilnCache
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// The HTTP client one backend sends all its requests through: HEAD, GET into memory (capped) or
/// streamed into a file, PUT from memory or streamed from a file, each within the request deadline
/// of `RemoteTransferSettings`, with failures below HTTP turned into `RemoteStoreError(.unavailable)`.
///
/// Owns one `HTTPClient`; call `shutdown()` once when done (an `HTTPClient` dropped without it traps
/// in debug builds).
final class RemoteTransport: Sendable {
    let settings: RemoteTransferSettings
    let failures: RemoteFailure
    private let client: HTTPClient
    private let logger: Logger
    private let isShutDown = Mutex(false)

    init(settings: RemoteTransferSettings, failures: RemoteFailure, logger: Logger) {
        self.settings = settings
        self.failures = failures
        self.logger = logger
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration(settings))
    }

    /// AsyncHTTPClient's settings: the connect timeout; `idleTimeout` as the read timeout (an answer
    /// that stops arriving that long is abandoned, mid-body too; no write timeout: AsyncHTTPClient's
    /// times only the gaps between Kiln's own body chunks, stopping while the store is not reading,
    /// so it could fail an upload only for Kiln's slowness, never the store's); connections per host
    /// from the settings; no retrying of failed connects inside the pool (a refused port fails at
    /// once, not at the connect timeout); no redirects (one could carry the Authorization header to
    /// another host); bodies as sent, never decompressed (a value's digest is of its stored bytes);
    /// no tracing spans (Kiln installs no tracer, and the no-op one still built each request's
    /// span attributes: 4 % of a push's user time).
    static func clientConfiguration(_ settings: RemoteTransferSettings) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        let idle = TimeAmount.milliseconds(Int64(settings.idleTimeout * 1000))
        configuration.timeout = .init(connect: .milliseconds(Int64(settings.connectTimeout * 1000)), read: idle)
        configuration.connectionPool = .init(idleTimeout: .seconds(60),
                                             concurrentHTTP1ConnectionsPerHostSoftLimit: settings.connectionsPerHost)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        return configuration
    }

    /// Closes every connection. Safe to call more than once; later calls do nothing.
    func shutdown() async throws {
        let first = isShutDown.withLock { done in
            defer { done = true }
            return !done
        }
        if first { try await client.shutdown() }
    }

    /// Sends `request` and reads the answer's body (a failed answer's first bytes, a success's
    /// discarded): for HEAD and PUT.
    func send(_ request: RemoteRequest, body: RemoteBody = .none) async throws -> RemoteAnswer {
        try await execute(request, body: body) { response in
            var answer = Self.answer(response)
            let kept = try await Self.collect(response.body, limit: answer.isSuccess ? 0 : RemoteAnswer.errorBodyLimit)
            if !answer.isSuccess { answer.errorBody = kept }
            return answer
        }
    }

    /// GET into memory: the answer, and a success's whole body. A body over `settings.maxInMemoryBytes`
    /// is refused (`.invalid`), as soon as its Content-Length or its bytes show it.
    func fetch(_ request: RemoteRequest) async throws -> (RemoteAnswer, Data?) {
        let limit = settings.maxInMemoryBytes
        let failures = failures
        return try await execute(request, body: .none) { response in
            var answer = Self.answer(response)
            guard answer.isSuccess else {
                answer.errorBody = try await Self.collect(response.body, limit: RemoteAnswer.errorBodyLimit)
                return (answer, nil)
            }
            let length = response.headers.first(name: "content-length").flatMap(Int.init)
            var data = Data()
            if let length {
                guard length <= limit else { throw failures.tooLarge(request.label, length, limit: limit) }
                data.reserveCapacity(length)
            }
            for try await chunk in response.body {
                guard data.count + chunk.readableBytes <= limit else {
                    throw failures.tooLarge(request.label, nil, limit: limit)
                }
                data.append(contentsOf: chunk.readableBytesView)
            }
            if let length, data.count != length { throw failures.cutShort(request.label, data.count, of: length) }
            return (answer, data)
        }
    }

    /// GET streamed into `destination` (see `FileDownload`): written only for a success, and only
    /// once `check` accepts the SHA-256 of the bytes received.
    func fetch(_ request: RemoteRequest, into destination: URL,
               check: @escaping @Sendable (_ sha256: String) throws -> Void) async throws -> RemoteAnswer {
        let failures = failures
        return try await execute(request, body: .none) { response in
            var answer = Self.answer(response)
            guard answer.isSuccess else {
                answer.errorBody = try await Self.collect(response.body, limit: RemoteAnswer.errorBodyLimit)
                return answer
            }
            let length = response.headers.first(name: "content-length").flatMap(Int.init)
            try await FileDownload(destination: destination).write(response.body) { received, sha256 in
                if let length, received != length { throw failures.cutShort(request.label, received, of: length) }
                try check(sha256)
            }
            return answer
        }
    }

    /// Sends the request and hands the response to `read`, both within one deadline. Errors below
    /// HTTP become `RemoteStoreError`s; a `RemoteStoreError` or `CacheKeyError` from `read` passes
    /// as it is, a local file's error (`LocalFileError`) as the error underneath; cancellation as
    /// `CancellationError`.
    private func execute<T: Sendable>(_ request: RemoteRequest, body: RemoteBody,
                                      _ read: @escaping @Sendable (HTTPClientResponse) async throws -> T) async throws -> T {
        var http = HTTPClientRequest(url: request.url)
        http.method = request.method
        http.headers = request.headers
        switch body {
        case .none: break
        case let .data(data): http.body = .bytes(data)
        case let .buffer(buffer): http.body = .bytes(buffer)
        case let .file(url, range): http.body = .stream(FileChunks(url: url, range: range), length: .known(Int64(range.count)))
        }
        HeadPadding.pad(&http, bodyBytes: body.count)
        let seconds = settings.requestTimeout
        let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
        let client = client, prepared = http
        do {
            // AsyncHTTPClient's deadline ends with the response head (a request's own body is sent
            // before it). A response body still to come is raced against what is left of it, so a
            // server that drips one cannot hold the request longer; an answer to HEAD, or one with
            // `Content-Length: 0` (a PUT's), has none, and is read without a timer of its own.
            // On the transfer threads, so the answer is read as it arrives however busy the
            // cooperative pool is (see `TransferThreads`).
            let result = try await TransferThreads.run {
                let response = try await client.execute(prepared, deadline: deadline)
                if request.method == .HEAD || response.headers.first(name: "content-length") == "0" {
                    return try await read(response)
                }
                return try await withThrowingTaskGroup(of: T.self) { group in
                    group.addTask { try await read(response) }
                    group.addTask {
                        let left = (deadline - .now()).nanoseconds
                        if left > 0 { try await Task.sleep(for: .nanoseconds(left)) }
                        throw HTTPClientError.deadlineExceeded
                    }
                    defer { group.cancelAll() }
                    return try await group.next()!
                }
            }
            logger.debug("remote cache request", metadata: ["store": "\(failures.store)", "request": "\(request.label)"])
            return result
        } catch let error as RemoteStoreError {
            throw error
        } catch let error as LocalFileError {
            throw error.underlying
        } catch let error as CacheKeyError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let failure = failures.transport(error, request.label)
            logger.debug("remote cache request failed", metadata: ["store": "\(failures.store)", "reason": "\(failure)"])
            throw failure
        }
    }

    private static func answer(_ response: HTTPClientResponse) -> RemoteAnswer {
        RemoteAnswer(status: Int(response.status.code), headers: response.headers)
    }

    /// The first `limit` bytes of a body; the rest is read and dropped, so the connection can be
    /// used again (an answer to HEAD, PUT or an error is small).
    private static func collect(_ body: HTTPClientResponse.Body, limit: Int) async throws -> Data {
        var kept = Data()
        for try await chunk in body where kept.count < limit {
            kept.append(contentsOf: chunk.readableBytesView.prefix(limit - kept.count))
        }
        return kept
    }
}
