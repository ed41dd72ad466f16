import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import NIOCore

/// A refusal or failure answered to a client, in OpenAI's error envelope
/// (`{"error": {"message", "type", "param", "code"}}`) on every route, so one client parser reads
/// Kiln's API and the gateway alike. Messages name the field at fault and never hold a secret.
public struct ServeError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?
    /// Seconds, for 429 and 503.
    public var retryAfter: Int?
    /// The upstream request id, for moderation refusals and upstream failures.
    public var requestID: String?
    /// The audit outcome's class (`refused:<class>`, `upstream:<class>`).
    public var outcome: String

    public init(status: Int, _ message: String, type: String = "invalid_request_error", param: String? = nil,
                code: String? = nil, retryAfter: Int? = nil, requestID: String? = nil, outcome: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
        self.requestID = requestID
        self.outcome = outcome ?? "refused:\(code ?? "invalid")"
    }

    public var description: String { "\(status) \(message)" }

    /// 400 for a field's value.
    static func invalid(_ param: String, _ message: String, code: String = "invalid_value") -> ServeError {
        ServeError(status: 400, message, param: param, code: code)
    }

    static func unknownParameter(_ name: String) -> ServeError {
        ServeError(status: 400, "Unknown parameter: '\(name)'.", param: name, code: "unknown_parameter")
    }

    static let missingToken = ServeError(status: 401, "Missing bearer token: send 'Authorization: Bearer <token>' (a token from `kiln serve token new`).",
                                         code: "missing_api_key", outcome: "refused:auth")
    static let unknownToken = ServeError(status: 401, "Incorrect bearer token provided.", code: "invalid_api_key",
                                         outcome: "refused:auth")

    static func tooLarge(_ limit: Int) -> ServeError {
        ServeError(status: 413, "The request body is larger than this server accepts (\(limit) bytes).",
                   code: "request_too_large", outcome: "refused:too_large")
    }

    /// The client closed the connection (or the server is stopping) before its answer: recorded
    /// as 499, as proxies do; nothing failed on this side.
    static let clientGone = ServeError(status: 499, "The client closed the connection before the answer.",
                                       code: "client_closed_request", outcome: "refused:client_gone")

    /// The response, with `x-request-id` (the header OpenAI's SDKs read) when there is an upstream id.
    func response() -> Response {
        var error: [(String, JSONValue)] = [("message", .string(message)), ("type", .string(type)),
                                            ("param", param.map(JSONValue.string) ?? .null),
                                            ("code", code.map(JSONValue.string) ?? .null)]
        if let requestID { error.append(("request_id", .string(requestID))) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let requestID {
            headers[HTTPField.Name("x-request-id")!] = requestID
            headers[HTTPField.Name("x-upstream-request-id")!] = requestID
        }
        return Response(status: .init(code: status), headers: headers,
                        body: .init(byteBuffer: ByteBuffer(string: JSONValue.object([("error", .object(error))]).rendered())))
    }
}
