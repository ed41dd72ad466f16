import Foundation
import Testing

/// What goes where: data on stdout, everything for the person on stderr; notices only when true.
@Suite struct OutputStreamsTests {
    func project(_ manifest: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-streams-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("pipelines/inputs"), withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: dir.appendingPathComponent("pipelines/m.yaml"))
        try FileManager.default.copyItem(at: KilnProcess.repositoryRoot.appendingPathComponent("pipelines/inputs/logo.png"),
                                         to: dir.appendingPathComponent("pipelines/inputs/logo.png"))
        return dir
    }

    static let notice = "OPENAI_API_KEY is not set"

    @Test func aBuildPrintsNothingOnStdoutAndJSONLinesAreOnlyJSON() async throws {
        let dir = try project("version: 1\nassets:\n  a: { prompt: a kiln, output: a.png }\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = try await KilnProcess.run(["build"], in: dir)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.isEmpty, "stdout: \(plain.stdout)")
        #expect(plain.stderr.contains("built   m/a/main") && plain.stderr.contains("build succeeded"))
        let json = try await KilnProcess.run(["build", "--json", "--force", "m"], in: dir)
        #expect(json.status == 0, "\(json.stderr)")
        let lines = json.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
    }

    @Test func theOfflineNoticeOnlyWhenAStepIsRenderedOfflineBecauseOfIt() async throws {
        let defaulted = try project("version: 1\nassets:\n  a: { prompt: a kiln }\n")
        let deriveOnly = try project("version: 1\nassets:\n  t:\n    steps:\n      s: { derive: { from: inputs/logo.png, resize: 64 }, output: t.png }\n")
        let named = try project("version: 1\nassets:\n  a: { prompt: a kiln, provider: placeholder }\n")
        let openai = try project("version: 1\nassets:\n  a: { prompt: a kiln, provider: openai }\n")
        defer { for dir in [defaulted, deriveOnly, named, openai] { try? FileManager.default.removeItem(at: dir) } }
        #expect(try await KilnProcess.run(["plan"], in: defaulted).stderr.contains(Self.notice))
        for dir in [deriveOnly, named, openai] {
            let plan = try await KilnProcess.run(["plan"], in: dir)
            #expect(plan.status == 0 && !plan.stderr.contains(Self.notice), "\(plan.stderr)")
        }
        #expect(try await KilnProcess.run(["build"], in: deriveOnly).stderr.contains(Self.notice) == false)
        // Every step asks for OpenAI and there is no key: an error before anything runs, naming the key.
        let build = try await KilnProcess.run(["build"], in: openai)
        #expect(build.status != 0)
        #expect(build.stderr.contains("steps use the openai provider but OPENAI_API_KEY is not set"), "\(build.stderr)")
        #expect(!FileManager.default.fileExists(atPath: openai.appendingPathComponent("outputs/m").path))
    }

    @Test func aPlanRenderedOfflineAlsoSaysWhatItWouldCostWithOpenAI() async throws {
        let dir = try project("version: 1\nassets:\n  a: { prompt: a kiln, quality: high, size: 1024x1024 }\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let offline = try await KilnProcess.run(["plan"], in: dir)
        #expect(offline.stdout.contains("estimated $0.0000"), "\(offline.stdout)")
        let withOpenAI = try await KilnProcess.run(["plan", "--provider", "openai"], in: dir)
        let line = try #require(offline.stdout.split(separator: "\n").first { $0.contains("with OpenAI the same plan would cost about") })
        let price = try #require(withOpenAI.stdout.split(separator: "\n").first { $0.contains("estimated $") })
        // The same figure both ways: the line's price is the OpenAI plan's estimate.
        let figure = try #require(line.split(separator: "$").last.map(String.init))
        #expect(price.contains("$" + figure), "\(line) vs \(price)")
    }

    @Test func upperCaseManifestNamesAreNamedNotSkippedSilently() async throws {
        let dir = try project("version: 1\nassets:\n  a: { prompt: a kiln }\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("version: 1\nassets:\n  b: { prompt: b }\n".utf8).write(to: dir.appendingPathComponent("pipelines/Other.YAML"))
        let result = try await KilnProcess.run(["validate"], in: dir)
        #expect(result.status == 0)
        #expect(result.stderr.contains("pipelines/Other.YAML:1:1: warning: 'pipelines/Other.YAML' is not read"), "\(result.stderr)")
        #expect(result.stderr.contains("rename it to 'Other.yaml'"))
    }
}
