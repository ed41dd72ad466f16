import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import Logging
import NIOCore

/// The handlers' shared parts: who the client is, reading a body under its cap, the limits, and
/// the audit and metrics around every request.
struct ServeRoutes: Sendable {
    let config: ServeConfig
    let service: ImageService
    let store: ImageStore
    let authenticator: TokenAuthenticator
    let limiter: RateLimiter
    let parser: ImageAskParser
    let signer: URLSigner?
    let toolkit: any ImageToolkit
    let audit: any ServeAuditSink
    let metrics: any ServeMetricsSink
    let builds: BuildSlot?
    let logger: Logger

    /// The client named by the request's bearer token. Throws 401.
    func client(_ request: Request) throws -> String {
        guard let token = TokenAuthenticator.bearer(request.headers[.authorization]) else { throw ServeError.missingToken }
        guard let client = authenticator.client(for: token) else { throw ServeError.unknownToken }
        return client
    }

    /// Takes a token from the client's bucket. Throws 429 with `Retry-After`.
    func admit(_ client: String) throws {
        if let wait = limiter.take(client) {
            throw ServeError(status: 429, "Rate limit reached for this client: try again in \(wait) s.",
                             type: "requests", code: "rate_limit_exceeded", retryAfter: wait, outcome: "refused:rate_limit")
        }
    }

    /// The whole body, refused with 413 as soon as it is known to be over `limit`: from
    /// `Content-Length` before a byte is read, else while counting the bytes as they arrive.
    /// The whole body must arrive within `body_timeout_seconds` (408, and the connection closes):
    /// the idle timeout alone lets a client that sends a byte now and then hold a connection for ever.
    /// A body that is malformed (bad chunking) or cut short is the client's mistake: 400, never 500.
    func body(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw ServeError.tooLarge(limit) }
        let deadline = ContinuousClock.now + .seconds(config.limits.bodyTimeoutSeconds)
        var collected = ByteBuffer()
        do {
            for try await part in request.body {
                guard collected.readableBytes + part.readableBytes <= limit else { throw ServeError.tooLarge(limit) }
                guard ContinuousClock.now < deadline else {
                    throw ServeError(status: 408, "The request body did not arrive within \(config.limits.bodyTimeoutSeconds) s.",
                                     code: "request_timeout", outcome: "refused:slow_body")
                }
                collected.writeImmutableBuffer(part)
            }
        } catch let error as ServeError {
            throw error
        } catch is CancellationError {
            throw ServeError.clientGone
        } catch {
            throw ServeError(status: 400, "The request body is malformed or was cut short (\(type(of: error))).",
                             param: "body", code: "invalid_body", outcome: "refused:bad_body")
        }
        return collected
    }

    /// The fields of the request's JSON object body (under the JSON cap); 400 naming the body
    /// when it is not one.
    func jsonFields(_ request: Request) async throws -> RawFields {
        let body = try await body(request, limit: config.limits.maxJSONBytes)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
        } catch {
            throw ServeError.invalid("body", "The body is not valid JSON: send a JSON object such as {\"prompt\": \"…\"}.", code: "invalid_json")
        }
        guard case let .object(pairs) = value else {
            throw ServeError.invalid("body", "The body must be a JSON object.", code: "invalid_json")
        }
        // A key given twice is ambiguous (parsers differ on which one wins; the decoder above keeps
        // one silently): refused, not guessed. The top level's keys are read again, raw.
        let names: [String] = (try? body.withUnsafeReadableBytes { bytes in
            var reader = JSONReader(bytes)
            var names = [String]()
            try reader.object { name, reader in
                names.append(name)
                try reader.skipValue()
            }
            return names
        }) ?? []
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw ServeError.invalid(name, "'\(name)' is given more than once.", code: "duplicate_parameter")
        }
        return RawFields(values: pairs.map { (name: $0.0, value: $0.1) }, isForm: false)
    }

    /// The scheme and host image URLs start with: `public_url`, else the request's Host.
    func baseURL(_ request: Request) -> String {
        if let url = config.publicURL { return url }
        let host = request.head.authority ?? "\(config.host):\(config.port)"
        return "http://" + host
    }

    /// `/images/<digest>`, signed when signed URLs are on.
    func imagePath(_ digest: String) -> String {
        let path = "/images/" + digest
        return signer?.sign(path) ?? path
    }

    /// Runs a handler, turning a `ServeError` (or anything else) into its response, and records
    /// the request in the metrics and (for image requests) the audit log.
    func handle(_ route: String, _ request: Request,
                _ body: (inout AuditDraft) async throws -> Response) async -> Response {
        let start = ContinuousClock.now
        var draft = AuditDraft(route: route)
        let response: Response
        do {
            response = try await body(&draft)
            draft.status = response.status.code
        } catch let error as ServeError {
            response = error.response()
            draft.status = error.status
            draft.outcomeText = error.outcome
            draft.requestID = draft.requestID ?? error.requestID
        } catch is CancellationError {
            // The client went away (or the server is stopping) while the request waited: nothing
            // failed on this side. 499, as proxies record it; the answer goes nowhere.
            logger.debug("client went away", metadata: ["route": "\(route)"])
            response = ServeError.clientGone.response()
            draft.status = ServeError.clientGone.status
            draft.outcomeText = ServeError.clientGone.outcome
        } catch {
            logger.error("request failed", metadata: ["route": "\(route)", "error": "\(type(of: error))"])
            response = ServeError(status: 500, "The server failed to handle this request.", type: "server_error",
                                  code: "internal_error", outcome: "refused:internal").response()
            draft.status = 500
            draft.outcomeText = "refused:internal"
        }
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.request(route: route, status: draft.status, seconds: seconds)
        if draft.client != nil { await audit.append(draft.record(storePrompts: config.storePrompts, milliseconds: Int(seconds * 1000))) }
        return response
    }
}

/// The audit record of a request as it is being handled: filled in step by step, written once.
struct AuditDraft: Sendable {
    var route: String
    var client: String?
    var ask: ImageAsk?
    var outcome: ImageService.Outcome?
    var status = 200
    var outcomeText: String?
    var requestID: String?

    init(route: String) { self.route = route }

    var outcomeClass: String { outcomeText ?? (outcome?.cached == true ? "cached" : "ok") }

    func record(storePrompts: Bool, milliseconds: Int) -> ServeAuditRecord {
        ServeAuditRecord(time: Date(), client: client ?? "-", route: route,
                         promptSHA256: ask.map { Digest.sha256($0.prompt) } ?? "",
                         prompt: storePrompts ? ask?.prompt : nil, model: ask?.model ?? "",
                         parameters: ask?.auditParameters ?? [:], imageDigests: outcome?.images.map(\.digest) ?? [],
                         costUSD: outcome?.costUSD ?? 0, cached: outcome?.cached ?? false,
                         requestID: outcome?.requestID ?? requestID, status: status, outcome: outcomeClass,
                         durationMS: milliseconds)
    }
}
