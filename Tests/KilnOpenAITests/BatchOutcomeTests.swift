import Foundation
import KilnCore
import Testing
@testable import KilnFakeOpenAI
@testable import KilnOpenAI

@Suite("Every way a batch ends, scripted in the fake, read by the client")
struct BatchOutcomeTests {
    let requests = (1...4).map { batchGenerate("step\($0)") }

    @Test("Expired: lines answered before expiry are in the output file, the rest batch_expired")
    func expired() async throws {
        let folder = try batchFolder()
        try await withBatchFake(BatchFake.fast(FakeBatchScript(expireAfterLines: 2))) { fake in
            let batch = try await fake.run(try writeBatchFile(requests, in: folder).path)
            #expect(batch.status == .expired)
            #expect(batch.expiredAt != nil)
            #expect(batch.requestCounts == BatchRequestCounts(total: 4, completed: 2, failed: 2))
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            #expect(read.problems.isEmpty && read.missing.isEmpty)
            for (index, (id, _)) in requests.enumerated() {
                switch read.results[id]?.outcome {
                case .succeeded?: #expect(index < 2)
                case let .notRun(code, message)?:
                    #expect(index >= 2)
                    #expect(code == "batch_expired")
                    #expect(message.contains("completion window"))
                default: Issue.record("\(id): \(String(describing: read.results[id]))")
                }
            }
        }
    }

    @Test("Failed validation: the code and the line of each problem", arguments: [
        ("invalid_json_line", 2), ("duplicate_custom_id", 3), ("url_mismatch", 2), ("empty_file", nil), ("too_many_tasks", nil),
    ] as [(String, Int?)])
    func failedValidation(code: String, line: Int?) async throws {
        let folder = try batchFolder()
        let lines = try String(contentsOfFile: try writeBatchFile(Array(requests.prefix(2)), in: folder).path, encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let text: String
        switch code {
        case "invalid_json_line": text = lines[0] + "\n{\"custom_id\": \"x\", \"method\": \"POST\",\n"
        case "duplicate_custom_id": text = lines.joined(separator: "\n") + "\n" + lines[0] + "\n"
        case "url_mismatch": text = lines[0] + "\n" + lines[1].replacingOccurrences(of: "/v1/images/generations", with: "/v1/images/edits") + "\n"
        case "empty_file": text = ""
        default: text = (0...50_000).map { "{\"custom_id\":\"c\($0)\",\"method\":\"POST\",\"url\":\"/v1/images/generations\",\"body\":{}}" }
            .joined(separator: "\n") + "\n"
        }
        let path = folder + "/input.jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try await withBatchFake { fake in
            let batch = try await fake.run(path)
            #expect(batch.status == .failed)
            #expect(batch.failedAt != nil)
            #expect(batch.outputFileId == nil && batch.errorFileId == nil)
            let errors = batch.validationErrors
            #expect(errors.count == 1)
            #expect(errors.first?.code == code)
            #expect(errors.first?.line == line)
            #expect(errors.first?.message?.isEmpty == false)
            #expect(try await fake.submissions().isEmpty, "nothing of a rejected file is submitted")
        }
    }

    @Test("Failed validation scripted: token_limit_exceeded with the service's message")
    func tokenLimit() async throws {
        let folder = try batchFolder()
        try await withBatchFake(BatchFake.fast(FakeBatchScript(failValidation: "token_limit_exceeded"))) { fake in
            let batch = try await fake.run(try writeBatchFile(requests, in: folder).path)
            #expect(batch.status == .failed)
            #expect(batch.validationErrors.map(\.code) == ["token_limit_exceeded"])
            #expect(batch.validationErrors.first?.message?.contains("Enqueued token limit") == true)
        }
    }

    @Test("Error-file lines: moderation (scripted and by prompt) and a 500, each with message and request id")
    func errorLines() async throws {
        let folder = try batchFolder()
        let all = requests + [batchGenerate("blocked", prompt: "a kiln [moderation-block]")]
        try await withBatchFake(BatchFake.fast(FakeBatchScript(moderationLines: [2], serverErrorLines: [3]))) { fake in
            let batch = try await fake.run(try writeBatchFile(all, in: folder).path)
            #expect(batch.status == .completed)
            #expect(batch.requestCounts == BatchRequestCounts(total: 5, completed: 2, failed: 3))
            #expect(batch.outputFileId != nil && batch.errorFileId != nil)
            let read = try await fake.results(batch, expected: origins(all), in: folder)
            #expect(read.problems.isEmpty && read.missing.isEmpty)
            for id in [all[1].id, all[4].id] {
                guard case let .failed(error, status)? = read.results[id]?.outcome else {
                    Issue.record("\(id) was not refused: \(String(describing: read.results[id]))")
                    continue
                }
                #expect(status == 400)
                #expect(error.kind == .moderationBlocked)
                #expect(error.message.contains("rejected by the safety system"), "the provider's message is kept")
                #expect(error.requestID?.hasPrefix("req_") == true)
            }
            guard case let .failed(error, status)? = read.results[all[2].id]?.outcome else {
                Issue.record("line 3 did not fail")
                return
            }
            #expect(status == 500)
            #expect(error.kind == .server)
            #expect(error.requestID != nil)
        }
    }

    @Test("Zero outputs: completed with a null output_file_id, every line in the error file")
    func zeroOutputs() async throws {
        let folder = try batchFolder()
        try await withBatchFake(BatchFake.fast(FakeBatchScript(zeroOutputs: true))) { fake in
            let batch = try await fake.run(try writeBatchFile(requests, in: folder).path)
            #expect(batch.status == .completed)
            #expect(batch.outputFileId == nil)
            #expect(batch.errorFileId != nil)
            #expect(batch.requestCounts == BatchRequestCounts(total: 4, completed: 0, failed: 4))
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            #expect(read.results.count == 4)
            #expect(read.results.values.allSatisfy { if case .failed = $0.outcome { true } else { false } })
        }
    }

    @Test("Cancelled mid-way: cancelling, then cancelled with the lines answered so far")
    func cancelled() async throws {
        let folder = try batchFolder()
        try await withBatchFake(BatchFake.fast(FakeBatchScript(pauseAfterLines: 2))) { fake in
            let file = try await fake.client.uploadFile(path: try writeBatchFile(requests, in: folder).path)
            let created = try await fake.client.createBatch(inputFileID: file.id, endpoint: .generations)
            #expect(created.status == .validating)
            var counts: BatchRequestCounts?
            for _ in 0..<3000 {
                counts = try await fake.client.batch(id: created.id).requestCounts
                if counts?.completed == 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(counts?.completed == 2)
            let cancelling = try await fake.client.cancel(id: created.id)
            #expect(cancelling.status == .cancelling)
            #expect(cancelling.cancellingAt != nil)
            let batch = try await fake.waitForFinal(created.id)
            #expect(batch.status == .cancelled)
            #expect(batch.cancelledAt != nil)
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            #expect(Set(read.results.keys) == Set(requests.prefix(2).map(\.id)))
            #expect(read.missing == requests.suffix(2).map(\.id).sorted())
            await #expect(throws: ProviderError.self) { _ = try await fake.client.cancel(id: created.id) }
        }
    }

    @Test("List newest first with after and limit; an unknown batch is a 404 the client names")
    func listAndMissing() async throws {
        let folder = try batchFolder()
        try await withBatchFake { fake in
            let file = try await fake.client.uploadFile(path: try writeBatchFile(requests, in: folder).path)
            var ids: [String] = []
            for _ in 0..<3 { ids.append(try await fake.client.createBatch(inputFileID: file.id, endpoint: .generations).id) }
            let first = try await fake.client.listBatches(limit: 2)
            #expect(first.data.map(\.id) == [ids[2], ids[1]])
            #expect(first.hasMore)
            let second = try await fake.client.listBatches(after: first.lastId, limit: 2)
            #expect(second.data.map(\.id) == [ids[0]])
            #expect(!second.hasMore)
            #expect(try await fake.client.findBatch(inputFileID: file.id)?.id == ids[2])
            let missing = await expectProviderError { _ = try await fake.client.batch(id: "batch_nope") }
            #expect(missing?.kind == .invalidRequest)
            #expect(missing?.message.contains("batch batch_nope") == true)
            #expect(try await fake.client.deleteFile(id: file.id))
            let gone = await expectProviderError { try await fake.client.downloadFile(id: file.id, to: folder + "/x") }
            #expect(gone?.message.contains("404") == true)
            #expect(!FileManager.default.fileExists(atPath: folder + "/x"))
        }
    }
}
