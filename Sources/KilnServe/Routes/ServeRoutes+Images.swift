import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import NIOCore

/// `POST /api/images` (JSON) and `POST /api/images/edits` (multipart): Kiln's own API, answering
/// URLs of cached images (or, with `?stream=1` or `Accept: image/*`, the first image's bytes).
extension ServeRoutes {
    func generate(_ request: Request) async -> Response {
        await serveAsk("/api/images", request, answer: { answer($0, ask: $1, request: $2) }) { try parser.parse(try await jsonFields(request), kind: .generate, dialect: .kiln) }
    }

    func edit(_ request: Request) async -> Response {
        await serveAsk("/api/images/edits", request, answer: { answer($0, ask: $1, request: $2) }) { try await editAsk(request, dialect: .kiln) }
    }

    /// The path every image request takes: who (401), the client's bucket (429), the checked
    /// request (400/413), then the cache or the provider; `answer` renders the outcome.
    func serveAsk(_ route: String, _ request: Request,
                  answer: @escaping (ImageService.Outcome, ImageAsk, Request) -> Response,
                  ask makeAsk: () async throws -> ImageAsk) async -> Response {
        await handle(route, request) { draft in
            let client = try client(request)
            draft.client = client
            try admit(client)
            let ask = try await makeAsk()
            draft.ask = ask
            let outcome = try await service.answer(ask, client: client, route: route)
            draft.outcome = outcome
            return answer(outcome, ask, request)
        }
    }

    /// An edit's form → a checked `ImageAsk`: the fields as for a generation, then each file part
    /// through the same checks a manifest's input files get (structure, then the edit pre-flight:
    /// count, sizes, mask format, alpha and dimensions) before anything is paid.
    func editAsk(_ request: Request, dialect: ImageAskParser.Dialect) async throws -> ImageAsk {
        let form = try MultipartForm(contentType: request.headers[.contentType],
                                     body: try await body(request, limit: config.limits.maxUploadBytes))
        var images = [InputImage](), mask: InputImage?
        var text = [(name: String, value: JSONValue)]()
        for part in form.parts {
            switch part.name {
            case "image", "image[]":
                images.append(try inputImage(part, field: part.name))
            case "mask":
                guard mask == nil else { throw ServeError.invalid("mask", "Send at most one 'mask'.") }
                mask = try inputImage(part, field: "mask")
            default:
                guard part.filename == nil else {
                    throw ServeError.invalid(part.name, "'\(part.name)' must be a text field, not a file.")
                }
                text.append((part.name, .string(String(decoding: part.data, as: UTF8.self))))
            }
        }
        guard !images.isEmpty else {
            throw ServeError.invalid("image", "An edit needs 1–16 images as parts named 'image' or 'image[]'.",
                                     code: "missing_required_parameter")
        }
        guard images.count <= 16 else {
            throw ServeError.invalid("image", "An edit takes at most 16 images; this one has \(images.count).")
        }
        var ask = try parser.parse(RawFields(values: text, isForm: true), kind: .edit, dialect: dialect)
        do {
            try await toolkit.preflightEdit(images: images, mask: mask)
        } catch {
            throw ServeError.invalid(mask != nil && "\(error)".contains("mask") ? "mask" : "image", "\(error)",
                                     code: "invalid_image")
        }
        ask.images = images
        ask.mask = mask
        return ask
    }

    /// A file part checked as a manifest's input file is (`ImageFileCheck`): PNG, JPEG or WebP by
    /// its bytes, whole, and within the size Kiln reads.
    func inputImage(_ part: MultipartForm.Part, field: String) throws -> InputImage {
        let name = part.filename ?? field
        switch ImageFileCheck.inspect(part.data) {
        case let .success(facts):
            return InputImage(name: name, data: part.data, format: facts.format)
        case let .failure(problem):
            throw ServeError.invalid(field, "'\(field)' (\(name)) \(problem.message).", code: "invalid_image")
        }
    }

    /// The JSON answer, or the first image's bytes when the client asked for the image itself.
    func answer(_ outcome: ImageService.Outcome, ask: ImageAsk, request: Request) -> Response {
        let accept = request.headers[.accept]?.lowercased() ?? ""
        let wantsBytes = request.uri.queryParameters.get("stream") == "1"
            || (accept.hasPrefix("image/") || accept.contains(", image/")) && !accept.contains("application/json")
        if wantsBytes, let first = outcome.images.first {
            var headers = HTTPFields()
            headers[.contentType] = first.format.mimeType
            headers[HTTPField.Name("x-kiln-digest")!] = first.digest
            headers[HTTPField.Name("x-kiln-cached")!] = outcome.cached ? "true" : "false"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: first.data)))
        }
        let base = baseURL(request)
        let share = outcome.images.isEmpty ? 0 : outcome.costUSD / Double(outcome.images.count)
        let images: [JSONValue] = outcome.images.map { image in
            .object([("url", .string(base + imagePath(image.digest))), ("digest", .string(image.digest)),
                     ("width", .integer(image.width)), ("height", .integer(image.height)),
                     ("bytes", .integer(image.data.count)), ("format", .string(image.format.rawValue)),
                     ("cost_usd", .number(share)), ("cached", .bool(outcome.cached))])
        }
        var members: [(String, JSONValue)] = [("images", .array(images))]
        members.append(("request_id", outcome.requestID.map(JSONValue.string) ?? .null))
        return Self.json(.object(members))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(ByteBuffer(string: value.rendered()), status: status)
    }

    /// A JSON answer whose bytes are already written.
    static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
