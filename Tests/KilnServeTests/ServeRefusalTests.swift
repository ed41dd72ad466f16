import Foundation
import Testing
@testable import KilnServe

@Suite("kiln serve: bad input is a clear 4xx naming the field, and costs nothing")
struct ServeRefusalTests {
    static let config = testConfig {
        $0.rules.models = ["gpt-image-1.5", "gpt-image-1-mini"]
        $0.rules.sizes = ["1024x1024", "1536x1024"]
        $0.rules.maxN = 2
        $0.rules.maxPromptLength = 40
        $0.rules.blockedTerms = ["Dragon"]
        $0.limits.maxJSONBytes = 2048
    }

    @Test("each refusal names its field and the provider is never called",
          arguments: [
              (#"{"prompt": "x", "size": "1024x1024""#, 400, "body", "invalid_json"),
              (#"["prompt"]"#, 400, "body", "invalid_json"),
              (#"{"prompt": "a cat", "sise": "1024x1024"}"#, 400, "sise", "unknown_parameter"),
              (#"{"size": "1024x1024"}"#, 400, "prompt", "missing_required_parameter"),
              (#"{"prompt": "   "}"#, 400, "prompt", "invalid_value"),
              (#"{"prompt": "a green dragon"}"#, 400, "prompt", "blocked_term"),
              (#"{"prompt": "a cat", "size": "1024x1536"}"#, 400, "size", "not_allowed"),
              (#"{"prompt": "a cat", "size": "big"}"#, 400, "size", "invalid_value"),
              (#"{"prompt": "a cat", "model": "gpt-image-2"}"#, 400, "model", "not_allowed"),
              (#"{"prompt": "a cat", "n": 3}"#, 400, "n", "invalid_value"),
              (#"{"prompt": "a cat", "n": "2"}"#, 400, "n", "invalid_type"),
              (#"{"prompt": "a cat", "quality": "ultra"}"#, 400, "quality", "invalid_value"),
              (#"{"prompt": "a cat", "background": "transparent", "format": "jpeg"}"#, 400, "background", "invalid_value"),
              (#"{"prompt": "a cat sitting on a very long prompt that goes on"}"#, 400, "prompt", "string_above_max_length"),
          ])
    func refusals(body: String, status: Int, param: String, code: String) async throws {
        try await withServe(Self.config) { serve in
            let reply = try await serve.send(.POST, "/api/images", json: body)
            #expect(reply.status == status, "\(reply.text)")
            #expect(reply.errorParam == param)
            #expect(reply.errorCode == code)
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("a blocked term is refused whatever its case, and the message names it")
    func blockedTermCase() async throws {
        try await withServe(Self.config) { serve in
            let reply = try await serve.send(.POST, "/api/images", json: #"{"prompt": "a DRAGON kite"}"#)
            #expect(reply.status == 400)
            #expect(reply.text.contains("'Dragon'"))
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("413 before the body is read: a Content-Length over the cap is answered while the body is never sent")
    func tooLargeBeforeBody() async throws {
        try await withServe(Self.config) { serve in
            let head = "POST /api/images HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(aliceToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
            let response = await RawHTTP.exchange(port: serve.port, head: head)
            #expect(RawHTTP.status(response) == 413)
            #expect(response?.contains("request_too_large") == true)
            // Without Content-Length (chunked), the bytes are counted as they arrive.
            let chunk = String(repeating: "a", count: 4096)
            let chunked = "POST /api/images HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(aliceToken)\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + String(4096, radix: 16) + "\r\n" + chunk + "\r\n"
            let chunkedReply = await RawHTTP.exchange(port: serve.port, head: chunked)
            #expect(RawHTTP.status(chunkedReply) == 413)
            #expect(await serve.upstreamCalls == 0)
        }
    }

    @Test("a client that connects and sends nothing, or stops mid-request, is disconnected after read_timeout_seconds")
    func slowClients() async throws {
        try await withServe(testConfig { $0.limits.readTimeoutSeconds = 1 }) { serve in
            #expect(await RawHTTP.closedWhileIdle(port: serve.port, sending: ""))
            #expect(await RawHTTP.closedWhileIdle(port: serve.port, sending: "POST /api/images HTTP/1.1\r\nHost: x\r\n"))
            let halfBody = "POST /api/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(aliceToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"prompt\": "
            #expect(await RawHTTP.closedWhileIdle(port: serve.port, sending: halfBody))
            #expect(await serve.upstreamCalls == 0)
        }
    }
}
