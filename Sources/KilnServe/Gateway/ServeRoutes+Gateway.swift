import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import NIOCore

/// The OpenAI-compatible gateway: `POST /v1/images/generations` (JSON) and `POST /v1/images/edits`
/// (multipart) in the Images API's own wire format and error envelope (CONTRACT.md), so an
/// official SDK pointed at `http://host:port/v1` with a Kiln token as its key works unchanged and
/// goes through Kiln's cache, rules, limits and audit. As the service does for GPT image models,
/// `response_format` is refused (answers are always `b64_json`); `stream: true` is refused too.
extension ServeRoutes {
    func gatewayGenerate(_ request: Request) async -> Response {
        await serveAsk("/v1/images/generations", request, answer: { outcome, ask, _ in gatewayAnswer(outcome, ask: ask) }) {
            try parser.parse(try await jsonFields(request), kind: .generate, dialect: .openAI)
        }
    }

    func gatewayEdit(_ request: Request) async -> Response {
        await serveAsk("/v1/images/edits", request, answer: { outcome, ask, _ in gatewayAnswer(outcome, ask: ask) }) {
            try await editAsk(request, dialect: .openAI)
        }
    }

    /// `ImagesResponse`: `created`, `data[].b64_json`, the values used (`background`,
    /// `output_format`, `size`, `quality`, with `auto` resolved when the service said), `usage`.
    func gatewayAnswer(_ outcome: ImageService.Outcome, ask: ImageAsk) -> Response {
        var members: [(String, JSONValue)] = [("created", .integer(Int(Date().timeIntervalSince1970)))]
        let resolved = outcome.resolved
        let first = outcome.images.first
        members.append(("background", .string(resolved["background"] ?? ask.parameters.background?.rawValue ?? "opaque")))
        members.append(("output_format", .string(resolved["output_format"] ?? ask.parameters.format.rawValue)))
        let size = first.map { "\($0.width)x\($0.height)" } ?? ask.parameters.size?.description ?? "auto"
        members.append(("size", .string(resolved["size"] ?? size)))
        members.append(("quality", .string(resolved["quality"] ?? ask.parameters.quality?.rawValue ?? "auto")))
        if let usage = outcome.usage {
            var details: [(String, JSONValue)] = []
            details.append(("text_tokens", .integer(usage.inputTextTokens ?? usage.inputTokens - (usage.inputImageTokens ?? 0))))
            details.append(("image_tokens", .integer(usage.inputImageTokens ?? 0)))
            members.append(("usage", .object([
                ("input_tokens", .integer(usage.inputTokens)), ("output_tokens", .integer(usage.outputTokens)),
                ("total_tokens", .integer(usage.totalTokens)), ("input_tokens_details", .object(details)),
            ])))
        }
        var response = Self.json(Self.withImages(outcome.images.map(\.data), spliceInto: .object(members)))
        if let id = outcome.requestID { response.headers[HTTPField.Name("x-request-id")!] = id }
        response.headers[HTTPField.Name("x-kiln-cached")!] = outcome.cached ? "true" : "false"
        return response
    }

    /// The answer's JSON with `"data": [{"b64_json": "…"}, …]` written first, the base64 bytes
    /// copied in as they are: base64 needs no escaping, and sending a ~2.4 MB string through the
    /// JSON writer character by character held a cached answer to 12 a second under `wrk`.
    static func withImages(_ images: [Data], spliceInto rest: JSONValue) -> ByteBuffer {
        let tail = rest.rendered()
        let encoded = images.map { $0.base64EncodedData() }
        var buffer = ByteBufferAllocator().buffer(capacity: tail.utf8.count + encoded.reduce(64) { $0 + $1.count + 20 })
        buffer.writeString("{\"data\":[")
        for (index, data) in encoded.enumerated() {
            buffer.writeString(index == 0 ? "{\"b64_json\":\"" : ",{\"b64_json\":\"")
            buffer.writeBytes(data)
            buffer.writeString("\"}")
        }
        buffer.writeString("],")
        // `rest` is an object with at least one member: drop its opening brace.
        let trimmed = tail.drop { $0 != "{" }.dropFirst()
        buffer.writeString(String(trimmed))
        return buffer
    }
}
