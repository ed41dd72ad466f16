import Foundation
import KilnCore
import Testing
@testable import KilnOpenAI

@Suite("Batch input lines and files")
struct BatchFileWriterTests {
    func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    @Test("A generation line carries the synchronous body, without stream")
    func generationLine() throws {
        var (id, request) = batchGenerate("hero")
        request.parameters.moderation = .low
        request.parameters.user = "team-a"
        let line = try BatchLine(customID: id, request: request)
        let object = try JSONSerialization.jsonObject(with: line.data) as? [String: Any]
        #expect(object?["custom_id"] as? String == id)
        #expect(object?["method"] as? String == "POST")
        #expect(object?["url"] as? String == "/v1/images/generations")
        let body = try #require(object?["body"] as? [String: Any])
        let synchronous = try JSONSerialization.jsonObject(with: try OpenAIRequestBody.generation(request).data) as? [String: Any]
        #expect(NSDictionary(dictionary: body).isEqual(to: synchronous ?? [:]))
        #expect(body["stream"] == nil)
        #expect(body["moderation"] as? String == "low")
        #expect(!line.data.contains(UInt8(ascii: "\n")))
    }

    @Test("An edit line is the JSON edit form with file_id references; an input not uploaded is refused")
    func editLine() throws {
        let image = InputImage(name: "in.png", data: TinyImageSamples.png(width: 32, height: 32), format: .png)
        let mask = InputImage(name: "mask.png", data: TinyImageSamples.png(width: 32, height: 32, alpha: true), format: .png)
        let request = ImageRequest(stepID: testStep, kind: .edit, model: "gpt-image-1.5", prompt: "recolour",
                                   parameters: ImageParameters(size: .auto, inputFidelity: .low), images: [image], mask: mask)
        let ids = [Digest.sha256(image.data): "file-img", Digest.sha256(mask.data): "file-mask"]
        let line = try BatchLine(customID: "k1", request: request, fileIDs: ids)
        let body = try #require((try JSONSerialization.jsonObject(with: line.data) as? [String: Any])?["body"] as? [String: Any])
        #expect((body["images"] as? [[String: String]]) == [["file_id": "file-img"]])
        #expect((body["mask"] as? [String: String]) == ["file_id": "file-mask"])
        #expect(body["input_fidelity"] as? String == "low")
        #expect(body["prompt"] as? String == "recolour")
        #expect(line.endpoint == .edits)
        #expect(throws: BatchLineError.self) { try BatchLine(customID: "k1", request: request, fileIDs: [ids.first!.key: "x"]) }
    }

    @Test("Files split at the line limit: every custom_id in exactly one file, in order")
    func splitAtLines() throws {
        let folder = try batchFolder()
        let writer = try BatchFileWriter(folder: folder, limits: BatchLimits(maxLines: 3, maxBytes: 1 << 20))
        let requests = (0..<7).map { batchGenerate("s\($0)") }
        for (id, request) in requests { try writer.append(try BatchLine(customID: id, request: request)) }
        let files = try writer.finish()
        #expect(files.map(\.customIDs.count) == [3, 3, 1])
        #expect(files.flatMap(\.customIDs) == requests.map(\.id))
        for file in files {
            #expect(try lines(file.path).map { $0["custom_id"] as? String } == file.customIDs)
            #expect(file.byteCount == (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int))
        }
    }

    @Test("Files split at the byte limit, one model and one endpoint per file")
    func splitAtBytesAndModels() throws {
        let folder = try batchFolder()
        let sample = try BatchLine(customID: batchGenerate("m0").id, request: batchGenerate("m0").request)
        let limit = (sample.data.count + 1) * 2 + 10   // two lines fit, three do not
        let writer = try BatchFileWriter(folder: folder, limits: BatchLimits(maxLines: 100, maxBytes: limit))
        var all: [(id: String, request: ImageRequest)] = []
        for index in 0..<5 {
            all.append(batchGenerate("m\(index)"))
            all.append(batchGenerate("n\(index)", model: "gpt-image-1-mini"))
        }
        for (id, request) in all { try writer.append(try BatchLine(customID: id, request: request)) }
        let files = try writer.finish()
        #expect(files.allSatisfy { $0.byteCount <= limit })
        #expect(files.allSatisfy { $0.customIDs.count <= 2 })
        #expect(files.flatMap(\.customIDs).sorted() == all.map(\.id).sorted())
        #expect(Set(files.flatMap(\.customIDs)).count == all.count)
        for file in files {
            let models = Set(try lines(file.path).compactMap { ($0["body"] as? [String: Any])?["model"] as? String })
            #expect(models == [file.model])
        }
        #expect(Set(files.map(\.model)) == ["gpt-image-1.5", "gpt-image-1-mini"])
    }

    @Test("A custom_id written twice, or a line larger than a file may be, is refused")
    func refusals() throws {
        let folder = try batchFolder()
        let writer = try BatchFileWriter(folder: folder, limits: BatchLimits(maxLines: 10, maxBytes: 200))
        let (id, request) = batchGenerate("x")
        #expect(throws: BatchLineError.self) { try writer.append(try BatchLine(customID: id, request: request)) }
        let roomy = try BatchFileWriter(folder: folder, limits: .service, prefix: "other")
        try roomy.append(try BatchLine(customID: id, request: request))
        #expect(throws: BatchLineError.self) { try roomy.append(try BatchLine(customID: id, request: request)) }
        #expect(try roomy.finish().count == 1)
        #expect(throws: BatchLineError.self) { try BatchLine(customID: "", request: request) }
    }
}
