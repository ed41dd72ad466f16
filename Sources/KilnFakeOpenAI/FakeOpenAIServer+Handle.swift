import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import NIOCore
import NIOFoundationCompat

extension FakeOpenAIServer {
    /// Records the request, checks auth, plays the next fault, validates, and answers.
    func handle(_ request: Request, channel: any Channel, body: ByteBuffer, edit: Bool, requestID: String) async
        -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let authFailure = authorize(headers)
        if headers["authorization"] != nil { headers["authorization"] = "Bearer [redacted]" }
        let contentType = headers["content-type"] ?? ""
        let jsonEdit = edit && contentType.lowercased().hasPrefix("application/json")
        var fields: [(name: String, value: String)] = []
        var files: [RecordedFile] = []
        var form: FakeMultipartForm?
        var parseError: FakeAPIError?
        if edit && !jsonEdit {
            form = FakeMultipartForm(contentType: contentType, body: body)
            for part in form?.parts ?? [] {
                if part.filename != nil || part.name == "image" || part.name == "image[]" || part.name == "mask" {
                    files.append(RecordedFile(field: part.name, filename: part.filename,
                                              contentType: part.contentType, byteCount: part.body.count))
                } else {
                    fields.append((part.name, String(decoding: part.body, as: UTF8.self)))
                }
            }
            if form == nil {
                parseError = .invalid("body", "Expected a multipart/form-data body with a boundary.",
                                      code: "invalid_request")
            }
        } else {
            do { fields = try Self.jsonFields(body) } catch { parseError = error }
        }
        await state.record(RecordedRequest(path: request.uri.path, headers: headers, authorized: authFailure == nil,
                                           fields: fields, files: files,
                                           contentLength: headers["content-length"].flatMap(Int.init),
                                           bodyBytes: body.readableBytes))
        if let authFailure { return Self.errorResponse(authFailure, requestID: requestID) }
        var imageFormatFault: FakeFault?
        var extraHeaders: [String: String] = [:]
        if let fault = await state.nextFault() {
            switch fault {
            case let .delay(ms):
                try? await Task.sleep(for: .milliseconds(ms))
            case let .rateLimitHeaders(remaining, reset):
                extraHeaders["x-ratelimit-remaining-requests"] = String(remaining)
                extraHeaders["x-ratelimit-reset-requests"] = reset
            case .truncatedBody, .badBase64:
                imageFormatFault = fault
            case .connectionReset:
                return await Self.reset(channel, requestID: requestID)
            default:
                if let error = Self.error(for: fault) { return Self.errorResponse(error, requestID: requestID) }
            }
        }
        do {
            if let parseError { throw parseError }
            let valid: FakeImageRequest
            if jsonEdit {
                let members = try Self.jsonObject(Data(buffer: body))
                valid = try Self.validateJSONEdit(members, files: await batches.contents(of: Self.referencedFileIDs(members)))
            } else {
                valid = try edit ? Self.validateEdit(form: form, fields: fields) : Self.validateGeneration(fields)
            }
            try checkModeration(valid)
            if configuration.latency > .zero { try? await Task.sleep(for: configuration.latency) }
            var body = try await answer(valid)
            switch imageFormatFault {
            case .truncatedBody?: body = body.prefix(body.count / 2)
            case .badBase64?: body = Data(String(decoding: body, as: UTF8.self)
                .replacingOccurrences(of: "\"b64_json\":\"", with: "\"b64_json\":\"!!not base64!!").utf8)
            default: break
            }
            extraHeaders["content-type"] = "application/json"
            return Self.response(status: 200, body: body, headers: extraHeaders, requestID: requestID)
        } catch let error as FakeAPIError {
            return Self.errorResponse(error, requestID: requestID)
        } catch {
            return Self.errorResponse(.invalid("body", "\(error)"), requestID: requestID)
        }
    }

    /// The 401 the service gives for a missing or wrong key, or nil when the Bearer key is accepted.
    func authorize(_ headers: [String: String]) -> FakeAPIError? {
        let token = headers["authorization"].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        if let token, !token.isEmpty, configuration.apiKey == nil || token == configuration.apiKey { return nil }
        let message = token == nil
            ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth."
            : "Incorrect API key provided: \(Self.maskKey(token ?? "")). You can find your API key at https://platform.openai.com/account/api-keys."
        return FakeAPIError(status: 401, message: message, code: token == nil ? nil : "invalid_api_key")
    }

    /// A prompt carrying the configured marker is refused as the safety system would.
    func checkModeration(_ request: FakeImageRequest) throws(FakeAPIError) {
        if !configuration.moderationMarker.isEmpty, request.prompt.contains(configuration.moderationMarker) {
            throw Self.error(for: .moderationBlocked) ?? .unknown("prompt")
        }
    }

    /// The `ImagesResponse` JSON, built by hand so the large base64 strings are copied once.
    func answer(_ request: FakeImageRequest) async throws -> Data {
        let transparent = request.background == "transparent" && request.format.supportsAlpha
        var answers = [Data]()
        do {
            if let target = configuration.answerBytes, request.format == .png, !transparent {
                for _ in 0..<request.n {
                    answers.append(try await state.realisticBase64(width: request.width, height: request.height,
                                                                   targetBytes: target))
                }
            } else {
                for index in 0..<request.n {
                    let b64 = try await state.base64Image(format: request.format, width: request.width,
                                                          height: request.height, transparent: transparent,
                                                          compression: request.compression, index: index)
                    answers.append(Data(b64.utf8))
                }
            }
        } catch {
            throw FakeAPIError(status: 500, message: "The fake could not render the answer: \(error)",
                               type: "server_error", code: "server_error")
        }
        let meta: [String: Any] = [
            "created": Int(Date().timeIntervalSince1970), "background": request.background,
            "output_format": request.format.rawValue, "size": "\(request.width)x\(request.height)",
            "quality": request.quality, "usage": request.usage,
        ]
        var json = (try? JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys])) ?? Data("{}".utf8)
        json.removeLast()  // the closing brace
        json.reserveCapacity(json.count + answers.reduce(64) { $0 + $1.count + 16 })
        json.append(contentsOf: Array(",\"data\":[".utf8))
        for index in 0..<request.n {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: Array("{\"b64_json\":\"".utf8))
            json.append(answers[index])
            json.append(contentsOf: Array("\"}".utf8))
        }
        json.append(contentsOf: Array("]}".utf8))
        return json
    }

    /// Resets the connection (SO_LINGER 0 makes the close an RST) so the client gets no response; the
    /// returned response is never written.
    static func reset(_ channel: any Channel, requestID: String) async -> Response {
        if let socket = channel as? any SocketOptionProvider {
            try? await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
        return response(status: 500, body: Data(), headers: [:], requestID: requestID)
    }

    /// Shows a key the way the live service does: first and last few characters.
    static func maskKey(_ key: String) -> String {
        guard key.count > 8 else { return "***" }
        return key.prefix(3) + String(repeating: "*", count: 6) + key.suffix(4)
    }
}
