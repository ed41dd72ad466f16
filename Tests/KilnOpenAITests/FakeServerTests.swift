import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import KilnCore
import NIOCore
import Testing
@testable import KilnFakeOpenAI

@Suite("The fake validates like the live service")
struct FakeServerTests {
    struct Answer { var status: Int; var code: String?; var param: String?; var images: [Data] = [] }

    /// Sends a raw request to a fresh fake and returns status plus the error envelope's code and param.
    func send(path: String, contentType: String, body: Data) async throws -> Answer {
        let server = FakeOpenAIServer(configuration: .init(apiKey: testKey))
        return try await server.makeApplication().test(.live) { client in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port ?? 0)/v1\(path)")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(testKey)")
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(180))   // a bound on a hang, not a speed check: under the whole suite on two cores encoding 1536x1024 WebP took over 30 s
            let bytes = try await response.body.collect(upTo: 64 << 20)
            let object = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]
            let error = object?["error"] as? [String: Any]
            let images = (object?["data"] as? [[String: Any]] ?? []).compactMap { item in
                (item["b64_json"] as? String).flatMap { Data(base64Encoded: $0) }
            }
            return Answer(status: Int(response.status.code), code: error?["code"] as? String,
                          param: error?["param"] as? String, images: images)
        }
    }

    func json(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object)
    }

    func multipart(_ parts: [(name: String, filename: String?, type: String?, body: Data)]) -> Data {
        var data = Data()
        for part in parts {
            var head = "--XYZ\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.type { head += "Content-Type: \(type)\r\n" }
            data.append(Data((head + "\r\n").utf8))
            data.append(part.body)
            data.append(Data("\r\n".utf8))
        }
        data.append(Data("--XYZ--\r\n".utf8))
        return data
    }

    @Test("response_format is an unknown parameter for GPT image models")
    func responseFormat() async throws {
        let answer = try await send(path: "/images/generations", contentType: "application/json",
                                    body: json(["prompt": "x", "model": "gpt-image-1.5", "response_format": "b64_json"]))
        #expect(answer.status == 400)
        #expect(answer.code == "unknown_parameter")
        #expect(answer.param == "response_format")
    }

    @Test("Transparent backgrounds need png or webp; png compression must stay 100")
    func formatRules() async throws {
        let transparent = try await send(path: "/images/generations", contentType: "application/json",
                                         body: json(["prompt": "x", "background": "transparent", "output_format": "jpeg"]))
        #expect(transparent.param == "background")
        let compression = try await send(path: "/images/generations", contentType: "application/json",
                                         body: json(["prompt": "x", "output_compression": 50]))
        #expect(compression.param == "output_compression")
        let gpt2 = try await send(path: "/images/generations", contentType: "application/json",
                                  body: json(["prompt": "x", "model": "gpt-image-2", "size": "1000x1000"]))
        #expect(gpt2.param == "size")
    }

    @Test("File parts sent as octet-stream are rejected")
    func octetStream() async throws {
        let png = TinyImageSamples.png(width: 8, height: 8, alpha: false)
        let answer = try await send(path: "/images/edits", contentType: "multipart/form-data; boundary=XYZ",
                                    body: multipart([("image[]", "a.png", "application/octet-stream", png),
                                                     ("prompt", nil, nil, Data("x".utf8))]))
        #expect(answer.status == 400)
        #expect(answer.code == "unsupported_file_mimetype")
    }

    @Test("A moderation part is unknown in multipart edits")
    func moderationPart() async throws {
        let png = TinyImageSamples.png(width: 8, height: 8, alpha: false)
        let answer = try await send(path: "/images/edits", contentType: "multipart/form-data; boundary=XYZ",
                                    body: multipart([("image[]", "a.png", "image/png", png),
                                                     ("prompt", nil, nil, Data("x".utf8)),
                                                     ("moderation", nil, nil, Data("low".utf8))]))
        #expect(answer.code == "unknown_parameter")
        #expect(answer.param == "moderation")
    }

    @Test("The mask must have alpha and match the first image's size",
          arguments: [(16, 16, false), (8, 8, true)])
    func maskRules(width: Int, height: Int, alpha: Bool) async throws {
        let image = TinyImageSamples.png(width: 16, height: 16, alpha: false)
        let mask = TinyImageSamples.png(width: width, height: height, alpha: alpha)
        let answer = try await send(path: "/images/edits", contentType: "multipart/form-data; boundary=XYZ",
                                    body: multipart([("image[]", "a.png", "image/png", image),
                                                     ("mask", "m.png", "image/png", mask),
                                                     ("prompt", nil, nil, Data("x".utf8))]))
        #expect(answer.status == 400)
        #expect(answer.param == "mask")
    }

    @Test("A single `image` part and a valid mask are accepted")
    func validEdit() async throws {
        let image = TinyImageSamples.png(width: 16, height: 16, alpha: false)
        let mask = TinyImageSamples.png(width: 16, height: 16, alpha: true)
        let answer = try await send(path: "/images/edits", contentType: "multipart/form-data; boundary=XYZ",
                                    body: multipart([("image", "a.png", "image/png", image),
                                                     ("mask", "m.png", "image/png", mask),
                                                     ("prompt", nil, nil, Data("x".utf8))]))
        #expect(answer.status == 200)
    }
}
