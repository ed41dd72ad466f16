import Foundation
import KilnCore
import Testing
@testable import KilnFakeOpenAI
@testable import KilnOpenAI

@Suite("Batch output and error files are read line by line, robustly")
struct BatchOutputReaderTests {
    static let small = TinyImageSamples.png(width: 48, height: 48)

    func success(_ id: String, _ image: Data, requestID: String = "req_1") -> String {
        success(id, base64: image.base64EncodedString(), requestID: requestID)
    }

    func success(_ id: String, base64: String, requestID: String = "req_1") -> String {
        "{\"id\":\"batch_req_1\",\"custom_id\":\"\(id)\",\"response\":{\"status_code\":200,\"request_id\":\"\(requestID)\","
            + "\"body\":{\"created\":1,\"data\":[{\"b64_json\":\"\(base64)\"}],\"size\":\"48x48\",\"output_format\":\"png\","
            + "\"usage\":{\"input_tokens\":3,\"output_tokens\":272,\"total_tokens\":275}}},\"error\":null}"
    }

    let moderation = "{\"id\":\"batch_req_3\",\"custom_id\":\"blocked\",\"response\":{\"status_code\":400,\"request_id\":\"req_mod\","
        + "\"body\":{\"error\":{\"message\":\"Your request was rejected by the safety system.\",\"type\":\"image_generation_user_error\","
        + "\"param\":null,\"code\":\"moderation_blocked\"}}},\"error\":null}"
    let expired = "{\"id\":\"batch_req_4\",\"custom_id\":\"late\",\"response\":null,\"error\":{\"code\":\"batch_expired\","
        + "\"message\":\"This request could not be executed before the completion window expired.\"}}"

    func origin(_ ids: [String]) -> [String: BatchLineOrigin] {
        Dictionary(uniqueKeysWithValues: ids.map { ($0, BatchLineOrigin(stepID: testStep, model: "gpt-image-1.5")) })
    }

    func read(_ text: Data, expected: [String], chunkSize: Int) throws -> (results: [BatchLineResult], problems: [BatchLineProblem], missing: [String]) {
        let path = try batchFolder() + "/out.jsonl"
        try text.write(to: URL(fileURLWithPath: path))
        var reader = BatchOutputReader(expected: origin(expected), secrets: [testKey], chunkSize: chunkSize)
        var results: [BatchLineResult] = []
        var problems: [BatchLineProblem] = []
        try reader.read(path: path) { event in
            switch event {
            case let .result(result): results.append(result)
            case let .problem(problem): problems.append(problem)
            }
        }
        return (results, problems, reader.missing)
    }

    @Test("CRLF, a blank line, a malformed line, an unknown and a duplicate custom_id, errors; at any read size",
          arguments: [3, 7, 64, 1 << 20])
    func mixedFile(chunkSize: Int) throws {
        let lines = [
            success("one", Self.small) + "\r",
            "",
            "{\"custom_id\":\"two\",\"response\":{\"status_code\":200,",
            success("stranger", Self.small),
            success("one", Self.small, requestID: "req_again"),
            moderation + "\r",
            expired,
            success("badimage", base64: "!!!notbase64"),
            success("two", Self.small, requestID: "req_2"),
        ]
        let text = Data(lines.joined(separator: "\n").utf8)   // the last line has no newline
        let read = try read(text, expected: ["one", "two", "blocked", "late", "badimage", "never"], chunkSize: chunkSize)
        #expect(read.results.map(\.customID) == ["one", "blocked", "late", "badimage", "two"])
        #expect(read.results.map(\.line) == [1, 6, 7, 8, 9])
        #expect(read.problems.count == 3)
        #expect(read.problems.contains { if case .malformed(3, _) = $0 { true } else { false } })
        #expect(read.problems.contains(.unknownCustomID(line: 4, customID: "stranger")))
        #expect(read.problems.contains(.duplicateCustomID(line: 5, customID: "one")))
        #expect(read.missing == ["never"])
        guard case let .succeeded(first) = read.results[0].outcome else { Issue.record("one failed"); return }
        #expect(first.images == [Self.small])
        #expect(first.digests == [Digest.sha256(Self.small)])
        #expect(first.requestID == "req_1")
        #expect(first.usage?.outputTokens == 272)
        #expect(first.resolved["size"] == "48x48")
        guard case let .failed(refused, status) = read.results[1].outcome else { Issue.record("blocked"); return }
        #expect(status == 400 && refused.kind == .moderationBlocked)
        #expect(refused.message.contains("rejected by the safety system"))
        #expect(refused.requestID == "req_mod")
        guard case let .notRun(code, _) = read.results[2].outcome else { Issue.record("late"); return }
        #expect(code == "batch_expired")
        guard case let .failed(bad, badStatus) = read.results[3].outcome else { Issue.record("badimage"); return }
        #expect(badStatus == 200 && bad.kind == .badResponse)
    }

    @Test("A line of a 1.8 MB image, split across reads, decodes to the same bytes and digest")
    func largeImage() throws {
        let base64 = try RealisticAnswer(width: 1024, height: 1024, targetBytes: 1_800_000).base64(serial: 1)
        let image = try #require(Data(base64Encoded: base64))
        #expect(image.count > 1_700_000)
        var text = Data(success("big", base64: "").utf8)
        let marker = text.range(of: Data("\"b64_json\":\"".utf8))!.upperBound
        text.insert(contentsOf: base64, at: marker)
        text.append(contentsOf: Array("\n".utf8))
        for chunkSize in [65_536, 1_000_003] {
            let read = try read(text, expected: ["big"], chunkSize: chunkSize)
            #expect(read.problems.isEmpty)
            guard case let .succeeded(response)? = read.results.first?.outcome else { Issue.record("big failed"); continue }
            #expect(response.images == [image])
            #expect(response.digests == [Digest.sha256(image)])
        }
    }

    @Test("Garbage never crashes the reader: each bad line is reported")
    func garbage() throws {
        let lines = ["[1,2,3]", "{\"custom_id\":\"one\"}", "{\"custom_id\":1}", "not json at all", "{\"custom_id\":\"one\",\"response\":{\"status_code\":200,\"body\":{\"data\":[{\"b64_json\":\"abc",
                     "\u{0}\u{1}\u{2}", "{\"custom_id\":\"one\",\"response\":null,\"error\":null}"]
        let read = try read(Data(lines.joined(separator: "\n").utf8), expected: ["one"], chunkSize: 5)
        #expect(read.results.isEmpty)
        #expect(read.problems.count == lines.count)
        #expect(read.missing == ["one"])
    }
}
