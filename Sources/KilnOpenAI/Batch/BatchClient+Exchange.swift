import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// An answer of the Files and Batches endpoints: a 2xx body, or a batch found after an uncertain
/// failure of `createBatch` (it had been created).
enum BatchExchange {
    case answer(ByteBuffer, requestID: String?)
    case recovered(BatchObject)
}

extension BatchClient {
    /// The largest JSON answer read (a page of 100 batches is well under 1 MB).
    static let maxJSONAnswer = 16 << 20

    /// Sends a request until it succeeds, fails in a way not worth retrying, or the retries are spent,
    /// with `OpenAIProvider`'s backoff. A request that is not `idempotent` is sent again only when
    /// nothing reached the service (the connection was never opened, or a 429); after any other
    /// failure `recover` is asked first, and what it finds is the answer.
    /// - Parameters:
    ///   - read: reads a 2xx body (default: collects it, up to `maxJSONAnswer`); a failure while
    ///     reading is a transport failure, retried like one.
    ///   - body: the content type and a fresh body for each attempt; nil sends none.
    func exchange(_ subject: String, _ method: HTTPMethod, _ path: String, idempotent: Bool,
                  recover: (@Sendable () async -> BatchObject?)? = nil,
                  read: ((HTTPClientResponse.Body) async throws -> ByteBuffer)? = nil,
                  body: (() throws -> (String, HTTPClientRequest.Body))?) async throws -> BatchExchange {
        let policy = RetryPolicy(retries: configuration.retries, backoffBase: configuration.backoffBase,
                                 backoffCap: configuration.backoffCap, maxRetryAfter: configuration.maxRetryAfter)
        let connectPolicy = RetryPolicy(retries: configuration.retries, backoffBase: configuration.connectBackoffBase,
                                        backoffCap: configuration.connectBackoffCap, maxRetryAfter: 0)
        var attempt = 0
        while true {
            var request = HTTPClientRequest(url: configuration.baseURL + path)
            request.method = method
            for (name, value) in configuration.standardHeaders() { request.headers.add(name: name, value: value) }
            if let body {
                let (type, content) = try body()
                request.headers.add(name: "Content-Type", value: type)
                request.body = content
            }
            logger.debug("OpenAI batch request", metadata: ["subject": "\(subject)", "method": "\(method.rawValue)",
                                                            "path": "\(path)"])
            let failure: ProviderError
            var retryable: Bool
            var sentNothing = false
            var connectFailure = false
            var hints = (retryAfterMs: String?.none, retryAfter: String?.none)
            do {
                let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
                let requestID = response.headers.first(name: "x-request-id")
                let status = Int(response.status.code)
                if (200..<300).contains(status), let read {
                    return .answer(try await read(response.body), requestID: requestID)
                }
                let bytes = try await response.body.collect(upTo: Self.maxJSONAnswer)
                if (200..<300).contains(status) { return .answer(bytes, requestID: requestID) }
                let classified = OpenAIErrorClassifier(subject: subject, model: nil, redactor: redactor)
                    .classify(status: status, body: Data(buffer: bytes), requestID: requestID,
                              shouldRetry: RetryPolicy.shouldRetryHeader(response.headers.first(name: "x-should-retry")))
                (failure, retryable) = (classified.error, classified.retryable)
                sentNothing = status == 429
                hints = (response.headers.first(name: "retry-after-ms"), response.headers.first(name: "retry-after"))
                logger.info("OpenAI batch error", metadata: ["subject": "\(subject)", "status": "\(status)",
                                                             "request_id": "\(requestID ?? "-")"])
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let classified = TransportFailure(step: subject, configuration: configuration, redactor: redactor)
                    .classify(error, attemptTimeout: configuration.requestTimeout, cutByStep: false)
                (failure, retryable) = (classified.error, true)
                (sentNothing, connectFailure) = (classified.connectFailure, classified.connectFailure)
                logger.info("OpenAI batch connection failed", metadata: ["subject": "\(subject)",
                                                                         "reason": "\(failure.message)"])
            }
            guard retryable, attempt < policy.retries else {
                throw attempt == 0 ? failure : OpenAIProvider.annotate(failure, attempts: attempt + 1)
            }
            if !idempotent && !sentNothing {
                if let recover, let found = await recover() { return .recovered(found) }
            }
            let delay = (connectFailure ? connectPolicy : policy)
                .delay(attempt: attempt, retryAfterMs: hints.retryAfterMs, retryAfter: hints.retryAfter,
                       now: runtime.now(), random: runtime.random())
            logger.info("retrying OpenAI batch call", metadata: [
                "subject": "\(subject)", "attempt": "\(attempt + 1)", "delay_s": "\(delay)",
                "reason": "\(redactor.redact(failure.description))",
            ])
            try await runtime.sleep(.fromSeconds(delay))
            attempt += 1
        }
    }
}
