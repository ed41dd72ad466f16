import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import KilnCore
import NIOCore
import Testing
@testable import KilnFakeOpenAI
@testable import KilnOpenAI

@Suite("The fake's Files and Batches endpoints refuse what the service refuses, and can keep their state")
struct FakeBatchEndpointTests {
    /// A raw request to the fake at `port`: status and the error envelope's code.
    func send(_ port: Int, _ method: String, _ path: String, contentType: String? = nil, body: Data? = nil,
              key: String? = testKey) async throws -> (status: Int, code: String?, message: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1\(path)")
        request.method = .init(rawValue: method)
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let error = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any])?["error"] as? [String: Any]
        return (Int(response.status.code), error?["code"] as? String, error?["message"] as? String)
    }

    func form(purpose: String, filename: String, content: String) -> Data {
        Data(("--B\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n\(purpose)\r\n--B\r\nContent-Disposition: "
            + "form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/jsonl\r\n\r\n\(content)\r\n--B--\r\n").utf8)
    }

    @Test("Uploads: purpose, format, size and key are checked; batches: file purpose, endpoint, fields")
    func refusals() async throws {
        let line = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":{\"prompt\":\"x\"}}\n"
        try await withBatchFake(BatchFake.fast(maxBatchFileBytes: 200)) { fake in
            let type = "multipart/form-data; boundary=B"
            let p = fake.port
            #expect(try await send(p, "POST", "/files", contentType: type, body: form(purpose: "nonsense", filename: "a.jsonl", content: line)).status == 400)
            let text = try await send(p, "POST", "/files", contentType: type, body: form(purpose: "batch", filename: "a.txt", content: line))
            #expect(text.status == 400 && text.message?.contains(".jsonl") == true)
            let big = try await send(p, "POST", "/files", contentType: type,
                                     body: form(purpose: "batch", filename: "a.jsonl", content: String(repeating: line, count: 3)))
            #expect(big.status == 400 && big.message?.contains("too large") == true)
            #expect(try await send(p, "POST", "/files", contentType: type, body: form(purpose: "batch", filename: "a.jsonl", content: line),
                                   key: nil).status == 401)
            #expect(try await send(p, "GET", "/batches", key: "sk-test-wrong-key-000000").code == "invalid_api_key")
            let userFile = try folder(line, name: "a.jsonl")
            let notBatch = try await fake.client.uploadFile(path: userFile, purpose: "user_data")
            let wrongPurpose = await expectProviderError {
                _ = try await fake.client.createBatch(inputFileID: notBatch.id, endpoint: .generations)
            }
            #expect(wrongPurpose?.message.contains("purpose 'batch'") == true)
            let good = try await fake.client.uploadFile(path: userFile)
            #expect(good.purpose == "batch" && good.bytes == line.utf8.count && good.expiresAt != nil)
            func create(_ json: String) async throws -> (status: Int, code: String?, message: String?) {
                try await send(p, "POST", "/batches", contentType: "application/json", body: Data(json.utf8))
            }
            #expect(try await create("{\"input_file_id\":\"\(good.id)\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}").status == 400)
            #expect(try await create("{\"input_file_id\":\"\(good.id)\",\"endpoint\":\"/v1/images/generations\",\"completion_window\":\"1h\"}").status == 400)
            #expect(try await create("{\"input_file_id\":\"\(good.id)\",\"endpoint\":\"/v1/images/generations\",\"completion_window\":\"24h\",\"priority\":1}").code == "unknown_parameter")
            #expect(try await create("{\"input_file_id\":\"file-none\",\"endpoint\":\"/v1/images/generations\",\"completion_window\":\"24h\"}").status == 404)
            #expect(try await send(p, "GET", "/batches?limit=0").status == 400)
        }
    }

    func folder(_ content: String, name: String) throws -> String {
        let file = try batchFolder() + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(content.utf8))
        return file
    }

    @Test("A restarted fake with a state directory still has its files, batches and submission counts")
    func stateDirectory() async throws {
        let state = try batchFolder()
        var configuration = BatchFake.fast()
        configuration.batch.stateDirectory = state
        let folder = try batchFolder()
        let requests = [batchGenerate("kept")]
        let (batchID, outputID) = try await withBatchFake(configuration) { fake in
            let batch = try await fake.run(try writeBatchFile(requests, in: folder).path)
            return (batch.id, batch.outputFileId ?? "")
        }
        try await withBatchFake(configuration) { fake in
            let batch = try await fake.client.batch(id: batchID)
            #expect(batch.status == .completed)
            #expect(batch.outputFileId == outputID)
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            if case .succeeded? = read.results[requests[0].id]?.outcome {} else { Issue.record("output lost") }
            #expect(try await fake.submissions() == [requests[0].id: 1])
        }
    }

    @Test("The synchronous edits route takes the JSON form (data URL) and answers as for multipart")
    func jsonEditRoute() async throws {
        let image = TinyImageSamples.png(width: 64, height: 64)
        let body = try JSONSerialization.data(withJSONObject: [
            "prompt": "paint it", "model": "gpt-image-1.5", "size": "1024x1024", "quality": "low", "moderation": "low",
            "images": [["image_url": "data:image/png;base64," + image.base64EncodedString()]],
        ])
        try await withBatchFake { fake in
            let status = try await send(fake.port, "POST", "/images/edits", contentType: "application/json", body: body)
            #expect(status.status == 200)
            let refused = try await send(fake.port, "POST", "/images/edits", contentType: "application/json",
                                         body: Data("{\"prompt\":\"x\",\"images\":[{\"file_id\":\"file-none\"}]}".utf8))
            #expect(refused.status == 400 && refused.code == "file_not_found")
            let both = try await send(fake.port, "POST", "/images/edits", contentType: "application/json",
                                      body: Data("{\"prompt\":\"x\",\"images\":[{\"file_id\":\"a\",\"image_url\":\"b\"}]}".utf8))
            #expect(both.status == 400)
        }
    }
}
