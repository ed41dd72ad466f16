import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing
@testable import KilnServe

@Suite("kiln serve: the OpenAI-compatible gateway")
struct ServeGatewayTests {
    @Test("generations answer ImagesResponse with b64_json, and a repeat comes from the cache")
    func generations() async throws {
        try await withServe { serve in
            let body = #"{"model": "gpt-image-1.5", "prompt": "a kiln", "size": "1024x1024", "quality": "low", "n": 2}"#
            let reply = try await serve.send(.POST, "/v1/images/generations", json: body)
            #expect(reply.status == 200, "\(reply.text)")
            guard case let .array(data)? = reply.json?["data"] else { Issue.record("no data: \(reply.text)"); return }
            #expect(data.count == 2)
            let images = data.compactMap { item -> Data? in
                if case let .string(b64)? = item["b64_json"] { Data(base64Encoded: b64) } else { nil }
            }
            #expect(images.count == 2 && images.allSatisfy { ImageFormat(sniffing: $0) == .png })
            if case .integer? = reply.json?["created"] {} else { Issue.record("no created") }
            #expect(reply.string("size") == "1024x1024")
            #expect(reply.string("quality") == "low")
            #expect(reply.string("output_format") == "png")
            if case .integer? = reply.value("usage", "output_tokens") {} else { Issue.record("no usage") }
            #expect(reply.header("x-request-id") != nil)
            let again = try await serve.send(.POST, "/v1/images/generations", json: body)
            #expect(again.status == 200)
            #expect(again.value("data") == reply.value("data"))
            #expect(await serve.upstreamCalls == 1)
        }
    }

    @Test("errors come in OpenAI's envelope with type, param and code",
          arguments: [
              (#"{"prompt": "a", "response_format": "url"}"#, "response_format", "unknown_parameter"),
              (#"{"prompt": "a", "format": "png"}"#, "format", "unknown_parameter"),
              (#"{"prompt": "a", "stream": true}"#, "stream", "unsupported_value"),
              (#"{"prompt": "a", "output_format": "gif"}"#, "output_format", "invalid_value"),
              (#"{"prompt": "a", "output_format": "png", "output_compression": 50}"#, "output_compression", "invalid_value"),
              (#"{"model": "gpt-image-1.5"}"#, "prompt", "missing_required_parameter"),
          ])
    func errorShape(body: String, param: String, code: String) async throws {
        try await withServe { serve in
            let reply = try await serve.send(.POST, "/v1/images/generations", json: body)
            #expect(reply.status == 400)
            guard case let .object(error)? = reply.json?["error"] else { Issue.record("no envelope: \(reply.text)"); return }
            #expect(Set(error.map(\.0)).isSuperset(of: ["message", "type", "param", "code"]))
            #expect(reply.errorType == "invalid_request_error")
            #expect(reply.errorParam == param)
            #expect(reply.errorCode == code)
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("a bad token is 401 invalid_api_key in OpenAI's shape")
    func unauthorized() async throws {
        try await withServe { serve in
            let reply = try await serve.send(.POST, "/v1/images/generations", json: #"{"prompt": "a"}"#, token: "sk-wrong")
            #expect(reply.status == 401)
            #expect(reply.errorCode == "invalid_api_key")
            #expect(reply.errorType == "invalid_request_error")
            if case .null? = reply.value("error", "param") {} else { Issue.record("param must be null") }
        }
    }

    @Test("an upstream moderation refusal is a friendly 400 with the upstream request id, and nothing is cached")
    func moderation() async throws {
        try await withServe { serve in
            let reply = try await serve.send(.POST, "/v1/images/generations", json: #"{"prompt": "[moderation-block] a scene"}"#)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "moderation_blocked")
            #expect(reply.errorType == "image_generation_user_error")
            let id = reply.string("error", "request_id")
            #expect(id != nil && reply.string("error", "message")?.contains(id ?? "-") == true)
            // The header OpenAI's SDKs read for error.request_id.
            #expect(reply.header("x-request-id") == id, "\(reply.headers)")
            let api = try await serve.send(.POST, "/api/images", json: #"{"prompt": "[moderation-block] a scene"}"#)
            #expect(api.status == 400)
            #expect(api.errorCode == "moderation_blocked")
            #expect(await serve.upstreamCalls == 2)
        }
    }

    @Test("upstream 5xx after Kiln's retries is 502 with the request id; the next request is paid normally")
    func upstreamFailure() async throws {
        try await withServe(retries: 1) { serve in
            await serve.fake.enqueue([.serverError(status: 500), .serverError(status: 503)])
            let reply = try await serve.send(.POST, "/v1/images/generations", json: #"{"prompt": "a kiln", "quality": "low"}"#)
            #expect(reply.status == 502)
            #expect(reply.errorType == "server_error")
            #expect(reply.string("error", "request_id") != nil)
            #expect(await serve.upstreamCalls == 2)
            let next = try await serve.send(.POST, "/v1/images/generations", json: #"{"prompt": "a kiln", "quality": "low"}"#)
            #expect(next.status == 200)
        }
    }
}
