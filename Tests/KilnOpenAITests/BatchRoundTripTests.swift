import Foundation
import KilnCore
import Testing
@testable import KilnFakeOpenAI
@testable import KilnOpenAI

@Suite("A batch goes through the fake's Files and Batches endpoints and comes back as images")
struct BatchRoundTripTests {
    @Test("Generations: completed, downloaded, every custom_id decoded like the synchronous answer")
    func generations() async throws {
        let folder = try batchFolder()
        let requests = [batchGenerate("a"), batchGenerate("b", size: .fixed(width: 1536, height: 1024)), batchGenerate("c")]
        try await withBatchFake { fake in
            let input = try writeBatchFile(requests, in: folder)
            let batch = try await fake.run(input.path)
            #expect(batch.status == .completed)
            #expect(batch.requestCounts == BatchRequestCounts(total: 3, completed: 3, failed: 0))
            #expect(batch.outputFileId != nil)
            #expect(batch.errorFileId == nil)
            #expect(batch.completedAt != nil && batch.inProgressAt != nil && batch.finalizingAt != nil)
            #expect(batch.metadata == ["kiln": "test"])
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            #expect(read.problems.isEmpty)
            #expect(read.missing.isEmpty)
            #expect(Set(read.results.keys) == Set(requests.map(\.id)))
            var configuration = fake.configuration
            configuration.retries = 0
            let synchronous = try await OpenAIProvider.withProvider(configuration: configuration) { provider in
                var answers: [String: ProviderResponse] = [:]
                for (id, request) in requests { answers[id] = try await provider.run(request) }
                return answers
            }
            for (id, request) in requests {
                guard case let .succeeded(response)? = read.results[id]?.outcome else {
                    Issue.record("\(id) did not succeed: \(String(describing: read.results[id]?.outcome))")
                    continue
                }
                #expect(response.images == synchronous[id]?.images, "batch image differs from the synchronous one")
                #expect(response.digests == response.images.map { Digest.sha256($0) })
                #expect(response.requestID?.hasPrefix("req_") == true)
                #expect(response.usage != nil)
                if case let .fixed(width, height)? = request.parameters.size {
                    #expect(response.resolved["size"] == "\(width)x\(height)")
                }
            }
            #expect(try await fake.submissions() == Dictionary(uniqueKeysWithValues: requests.map { ($0.id, 1) }))
        }
    }

    @Test("Edits: each input uploaded once by digest, referenced by file_id, answered like the synchronous edit")
    func edits() async throws {
        let folder = try batchFolder()
        let base = InputImage(name: "base.png", data: TinyImageSamples.png(width: 64, height: 64), format: .png)
        let other = InputImage(name: "other.webp", data: TinyImageSamples.webp(width: 64, height: 64), format: .webp)
        let mask = InputImage(name: "mask.png", data: TinyImageSamples.png(width: 64, height: 64, alpha: true), format: .png)
        func edit(_ name: String, images: [InputImage], mask: InputImage?) -> (id: String, request: ImageRequest) {
            let step = StepID(pipeline: "demo", asset: name, variant: nil, step: "edit")
            return ("edit-" + name, ImageRequest(stepID: step, kind: .edit, model: "gpt-image-1.5", prompt: "paint \(name) blue",
                                                 parameters: ImageParameters(size: .fixed(width: 1024, height: 1024),
                                                                             quality: .low, inputFidelity: .high),
                                                 images: images, mask: mask))
        }
        let requests = [edit("one", images: [base], mask: mask), edit("two", images: [base, other], mask: nil),
                        edit("three", images: [other, base], mask: mask)]
        try await withBatchFake { fake in
            let inputs = BatchLine.inputsToUpload(requests.map(\.request))
            #expect(inputs.count == 3, "base, other and the mask, each once")
            var fileIDs: [String: String] = [:]
            for (digest, image) in inputs {
                let path = folder + "/" + digest + ".png"
                try image.data.write(to: URL(fileURLWithPath: path))
                fileIDs[digest] = try await fake.client.uploadFile(path: path, purpose: "vision").id
            }
            let input = try writeBatchFile(requests, in: folder, fileIDs: fileIDs)
            let text = try String(contentsOfFile: input.path, encoding: .utf8)
            #expect(!text.contains("\"stream\"") && !text.contains("base64"), "lines reference uploads, never inline bytes")
            let batch = try await fake.run(input.path, endpoint: .edits)
            #expect(batch.status == .completed)
            let read = try await fake.results(batch, expected: origins(requests), in: folder)
            #expect(read.problems.isEmpty && read.missing.isEmpty)
            let uploads = await fake.server.state.requests.filter { $0.path == "/v1/files" }
            #expect(uploads.count == 4, "three inputs and one input file")
            var configuration = fake.configuration
            configuration.retries = 0
            for (id, request) in requests {
                let synchronous = try await OpenAIProvider.withProvider(configuration: configuration) { try await $0.run(request) }
                guard case let .succeeded(response)? = read.results[id]?.outcome else {
                    Issue.record("\(id) did not succeed: \(String(describing: read.results[id]?.outcome))")
                    continue
                }
                #expect(response.images == synchronous.images)
                #expect(response.digests == synchronous.digests)
            }
        }
    }

    @Test("A line's bad body fails only that line, with the synchronous route's 400")
    func badBodyFailsItsLine() async throws {
        let folder = try batchFolder()
        let good = batchGenerate("good")
        var made = batchGenerate("bad")
        made.request.parameters.background = .transparent
        made.request.parameters.format = .jpeg
        let bad = made
        try await withBatchFake { fake in
            let input = try writeBatchFile([good, bad], in: folder)
            let batch = try await fake.run(input.path)
            #expect(batch.status == .completed)
            #expect(batch.requestCounts == BatchRequestCounts(total: 2, completed: 1, failed: 1))
            let read = try await fake.results(batch, expected: origins([good, bad]), in: folder)
            guard case let .failed(error, status)? = read.results[bad.id]?.outcome else {
                Issue.record("the bad line did not fail: \(String(describing: read.results[bad.id]))")
                return
            }
            #expect(status == 400)
            #expect(error.kind == .invalidRequest)
            #expect(error.message.contains("background"))
            #expect(error.message.contains("step demo/bad"))
            if case .succeeded? = read.results[good.id]?.outcome {} else { Issue.record("the good line failed") }
        }
    }
}
