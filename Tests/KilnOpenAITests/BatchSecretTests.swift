import Foundation
import KilnCore
import KilnTestSupport
import Testing
@testable import KilnFakeOpenAI
@testable import KilnOpenAI

@Suite("The API key never leaves the batch client")
struct BatchSecretTests {
    @Test("Not in logs, errors, input, output or error files, whether the key is right or wrong")
    func keyNeverLeaks() async throws {
        let folder = try batchFolder()
        let capture = LogCapture()
        let requests = [batchGenerate("a"), batchGenerate("b", prompt: "x [moderation-block]")]
        try await withBatchFake(BatchFake.fast(), logger: capture.logger) { fake in
            let batch = try await fake.run(try writeBatchFile(requests, in: folder).path)
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            for result in read.results.values {
                if case let .failed(error, _) = result.outcome { #expect(!error.description.contains(testKey)) }
            }
        }
        let wrongKey = "sk-test-wrongwrongwrong0123456789"
        let errors = try await withBatchFake(BatchFake.fast(), logger: capture.logger, key: wrongKey) { fake in
            var messages: [String] = []
            let path = try writeBatchFile([batchGenerate("c")], in: folder + "/wrong").path
            for call in [{ _ = try await fake.client.uploadFile(path: path) },
                         { _ = try await fake.client.batch(id: "batch_x") },
                         { try await fake.client.downloadFile(id: "file-x", to: folder + "/wrong/x") }] as [@Sendable () async throws -> Void] {
                let error = await expectProviderError(call)
                #expect(error?.kind == .authentication)
                #expect(error?.stopsRun == true)
                messages.append(error?.description ?? "")
            }
            return messages
        }
        for text in errors + [capture.text] {
            #expect(!text.contains(testKey) && !text.contains(wrongKey) && !text.contains("wrongwrong"))
        }
        #expect(capture.text.contains("OpenAI batch"), "the client did log")
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []
        #expect(files.count >= 3)
        for name in files {
            let data = FileManager.default.contents(atPath: folder + "/" + name) ?? Data()
            #expect(data.range(of: Data(testKey.utf8)) == nil && data.range(of: Data(wrongKey.utf8)) == nil, "\(name)")
        }
    }
}
