import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One attempt's result: the answer, or a classified failure with the server's retry hints.
struct AttemptResult {
    struct Hints {
        var retryAfterMs: String?
        var retryAfter: String?
        /// No connection was opened (nothing sent): retry after the short connect backoff.
        var connectFailure = false
    }
    enum Outcome {
        case success(ProviderResponse)
        case failure(ProviderError, retryable: Bool, hints: Hints)
    }
    var outcome: Outcome
    var remainingRequests: Int?
    var resetRequests: Double?
}

extension OpenAIProvider {
    /// Sends one attempt with a deadline of `timeout` seconds. Transport failures, stalls, timeouts and
    /// undecodable 200s come back as retryable failures; only cancellation is thrown.
    /// - Parameter cutByStep: true when `timeout` is what is left of the step's overall deadline.
    func send(_ body: OpenAIRequestBody, for request: ImageRequest, timeout: Double,
              cutByStep: Bool) async throws -> AttemptResult {
        var http = HTTPClientRequest(url: configuration.baseURL + body.path)
        http.method = .POST
        for (name, value) in configuration.standardHeaders() { http.headers.add(name: name, value: value) }
        http.headers.add(name: "Content-Type", value: body.contentType)
        // A known-length body goes out with Content-Length, not chunked; its bytes are copied into
        // the channel's buffer only while it is written, not held as a second copy for the whole call.
        http.body = .bytes(body.data)
        let step = "step \(request.stepID)"
        logger.debug("OpenAI request", metadata: ["step": "\(request.stepID)", "path": "\(body.path)",
                                                  "bytes": "\(body.data.count)"])
        let response: HTTPClientResponse
        let answer: Answer
        let began = NIODeadline.now()
        do {
            response = try await client.execute(http, timeout: .milliseconds(Int64(max(timeout, 0.001) * 1000)))
            let length = response.headers.first(name: "content-length").flatMap(Int.init)
            if let length, length > configuration.maxResponseBytes {
                return tooLarge(step, length, response.headers)
            }
            let read = (200..<300).contains(Int(response.status.code))
                ? try await Self.stream(response.body, expecting: length, upTo: configuration.maxResponseBytes).map(Answer.images)
                : try await Self.collect(response.body, expecting: length, upTo: configuration.maxResponseBytes).map(Answer.error)
            guard let read else { return tooLarge(step, nil, [:]) }
            answer = read
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return transportFailure(stalled(error, since: began), request: request, timeout: timeout,
                                    cutByStep: cutByStep)
        }
        let headers = response.headers
        let requestID = headers.first(name: "x-request-id")
        let remaining = headers.first(name: "x-ratelimit-remaining-requests").flatMap(Int.init)
        let reset = headers.first(name: "x-ratelimit-reset-requests").flatMap(AdaptiveRateLimiter.parseResetDuration)
        let hints = AttemptResult.Hints(retryAfterMs: headers.first(name: "retry-after-ms"),
                                        retryAfter: headers.first(name: "retry-after"))
        switch answer {
        case .error(let bytes):
            let status = Int(response.status.code)
            let classifier = OpenAIErrorClassifier(stepID: request.stepID, model: request.model, redactor: redactor)
            let classified = classifier.classify(status: status, body: Data(buffer: bytes), requestID: requestID,
                                                 shouldRetry: RetryPolicy.shouldRetryHeader(headers.first(name: "x-should-retry")))
            logger.info("OpenAI error", metadata: ["step": "\(request.stepID)", "status": "\(status)",
                                                      "request_id": "\(requestID ?? "-")"])
            return AttemptResult(outcome: .failure(classified.error, retryable: classified.retryable, hints: hints),
                                 remainingRequests: remaining, resetRequests: reset)
        case .images(let stream):
            do {
                let decoded = try ImagesResponseDecoder.decode(stream, requestID: requestID)
                return AttemptResult(outcome: .success(decoded), remainingRequests: remaining, resetRequests: reset)
            } catch let error as ImagesResponseDecoder.Undecodable {
                let failure = ProviderError(.badResponse, "\(step): OpenAI answered 200 but \(error.reason). "
                    + "Kiln retries such answers; if it persists, build again later.", requestID: requestID)
                let retry = RetryPolicy.shouldRetryHeader(headers.first(name: "x-should-retry")) ?? true
                return AttemptResult(outcome: .failure(failure, retryable: retry, hints: hints),
                                     remainingRequests: remaining, resetRequests: reset)
            }
        }
    }

    /// A body as read: a success's images, decoded as they arrived, or an error's bytes.
    private enum Answer {
        case images(ImagesResponseStream)
        case error(ByteBuffer)
    }

    /// A success's body fed to the images decoder piece by piece as it arrives, so the 2.4 MB of
    /// text is never held (`ImagesResponseStream`); nil when it grows past `limit`.
    static func stream(_ body: HTTPClientResponse.Body, expecting length: Int?, upTo limit: Int) async throws -> ImagesResponseStream? {
        var stream = ImagesResponseStream(expectedBytes: length)
        for try await chunk in body {
            guard stream.byteCount + chunk.readableBytes <= limit else { return nil }
            chunk.withUnsafeReadableBytes { stream.feed($0) }
        }
        return stream
    }

    /// An error's whole body in one buffer sized from `Content-Length` when the server sent one;
    /// nil when it grows past `limit`.
    static func collect(_ body: HTTPClientResponse.Body, expecting length: Int?, upTo limit: Int) async throws -> ByteBuffer? {
        var buffer = ByteBuffer()
        if let length, length > 0 { buffer.reserveCapacity(length) }
        for try await chunk in body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else { return nil }
            if buffer.readableBytes == 0 && buffer.capacity < chunk.readableBytes {
                buffer = chunk   // the first piece, kept as it came (no copy) when nothing was reserved
            } else {
                buffer.writeImmutableBuffer(chunk)
            }
        }
        return buffer
    }

    private func tooLarge(_ step: String, _ length: Int?, _ headers: HTTPHeaders) -> AttemptResult {
        let size = length.map { "\($0) bytes" } ?? "more bytes"
        let error = ProviderError(.badResponse, "\(step): OpenAI's answer (\(size)) is over Kiln's "
            + "\(configuration.maxResponseBytes)-byte cap, so it was refused. Lower n or the size.",
            requestID: headers.first(name: "x-request-id"))
        return AttemptResult(outcome: .failure(error, retryable: false, hints: .init()))
    }

    private func transportFailure(_ error: any Error, request: ImageRequest, timeout: Double,
                                  cutByStep: Bool) -> AttemptResult {
        let failure = TransportFailure(step: "step \(request.stepID)", configuration: configuration, redactor: redactor)
            .classify(error, attemptTimeout: timeout, cutByStep: cutByStep)
        logger.info("OpenAI connection failed", metadata: ["step": "\(request.stepID)",
                                                           "reason": "\(failure.error.message)"])
        return AttemptResult(outcome: .failure(failure.error, retryable: true,
                                               hints: .init(connectFailure: failure.connectFailure)))
    }

    /// The watchdog's stall behind a closed-connection error, when one was recorded during this attempt.
    private func stalled(_ error: any Error, since: NIODeadline) -> any Error {
        let closed = error is ConnectionStalled || (error as? HTTPClientError) == .remoteConnectionClosed
            || (error as? ChannelError) == .ioOnClosedChannel
        guard closed, let stall = stalls.claim(since: since) else { return error }
        return stall
    }
}
