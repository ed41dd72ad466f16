import Foundation
import KilnCore
import KilnEngine
import Testing
@testable import KilnOutputs
import KilnTestSupport

@Suite struct OutputManifestTests {
    /// A build with every kind of entry: generated, edited, derived, failed and skipped.
    func mixedBuild(_ f: Fixture, recordDurations: Bool = true) async -> BuildReport {
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["broken"] = .init(error: ProviderError(.moderationBlocked, "rejected by the safety system"))
        provider.scripts["e"] = .init(usage: nil)
        let steps = [
            TestSteps.generate("g", size: (16, 16), background: .transparent),
            TestSteps.edit("e", from: [.step(TestSteps.id("g"))], size: (16, 16)),
            TestSteps.derive("d", from: TestSteps.id("e")),
            TestSteps.generate("broken"),
            TestSteps.derive("broken-thumb", from: TestSteps.id("broken")),
        ]
        return await f.engine(steps, provider: provider, keepGoing: true, recordDurations: recordDurations).run()
    }

    @Test func everyKeyWrittenIsDescribedByTheSchema() async throws {
        let f = try Fixture()
        _ = await mixedBuild(f)
        let written = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: f.outputs.appendingPathComponent("manifest.json")))
        let schema = OutputManifest.jsonSchema()
        var problems = [String]()
        check(written, against: schema, root: schema, at: "$", problems: &problems)
        #expect(problems.isEmpty, "\(problems)")
        #expect(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema")
    }

    @Test func theSchemaCheckerCatchesAnUndescribedKey() {
        let schema = OutputManifest.jsonSchema()
        let bogus: JSONValue = ["version": 1, "files": [], "steps": [], "surprise": true,
                                "totals": ["steps": 0, "files": 0, "bytes": 0, "cost_usd": 0, "built": 0, "cached": 0, "up_to_date": 0,
                                           "failed": 0, "skipped": 0]]
        var problems = [String]()
        check(bogus, against: schema, root: schema, at: "$", problems: &problems)
        #expect(problems == ["$.surprise is not in the schema"])
    }

    @Test func theManifestRecordsFilesFailuresAndTotals() async throws {
        let f = try Fixture()
        let report = await mixedBuild(f)
        let m = try #require(report.manifest)
        #expect(m.files.map(\.path) == ["edits/e.png", "g.png", "thumbs/d.png"])
        let g = try #require(m.files.first { $0.path == "g.png" })
        #expect(g.step == TestSteps.id("g") && g.asset == "p/a" && g.kind == .generate)
        #expect((g.width, g.height, g.alpha, g.format) == (16, 16, true, .png))
        #expect(g.usage?.outputTokens == 100 && g.cost.basis == .actual && g.requestID == "req-g")
        #expect(g.cost.usd == PriceTable.builtin.cost(model: "gpt-image-1", usage: Usage(inputTokens: 20, outputTokens: 100)))
        #expect(g.prompt == "a g" && g.parameters?.background == .transparent)
        #expect(g.sha256 == Digest.sha256(try Data(contentsOf: f.outputs.appendingPathComponent("g.png"))))
        let e = try #require(m.files.first { $0.path == "edits/e.png" })
        #expect(e.usage == nil && e.cost.basis == .estimated)
        let d = try #require(m.files.first { $0.path == "thumbs/d.png" })
        #expect(d.cost.basis == .none && d.derive?.resize?.width == 4 && d.provider == nil)
        #expect(m.steps.map(\.step) == [TestSteps.id("broken"), TestSteps.id("broken-thumb")])
        #expect(m.steps[0].error.contains("safety system") && m.steps[1].because == TestSteps.id("broken"))
        #expect(m.totals.files == 3 && m.totals.failed == 1 && m.totals.skipped == 1 && m.totals.built == 3)
        #expect(m.totals.bytes == m.files.reduce(0) { $0 + $1.bytes })
        #expect(m.files.allSatisfy { $0.durationMS != nil })
    }

    @Test func withoutDurationsTwoBuildsInTheSameCacheStateWriteIdenticalManifests() async throws {
        let f = try Fixture()
        _ = await mixedBuild(f, recordDurations: false)
        let url = f.outputs.appendingPathComponent("manifest.json")
        let second = Fixture(existing: f.root)
        _ = await mixedBuild(second, recordDurations: false)
        let a = try Data(contentsOf: url)
        _ = await mixedBuild(Fixture(existing: f.root), recordDurations: false)
        let b = try Data(contentsOf: url)
        #expect(a == b)
        #expect(!String(decoding: a, as: UTF8.self).contains("duration_ms"))
        #expect(a.last == 0x0A)
    }

    @Test func theWrittenManifestIsExactlyTheCanonicalEncoding() async throws {
        let f = try Fixture()
        let report = await mixedBuild(f)
        let written = try Data(contentsOf: f.outputs.appendingPathComponent("manifest.json"))
        let manifest = try #require(report.manifest)
        var canonical = try CanonicalJSON.encode(manifest, pretty: true)
        canonical.append(0x0A)
        #expect(written == canonical, "entries encoded during the build were spliced differently")
        #expect(try manifest.encoded() == canonical)
        let empty = OutputManifest(files: [], steps: [], totals: manifest.totals)
        var emptyCanonical = try CanonicalJSON.encode(empty, pretty: true)
        emptyCanonical.append(0x0A)
        #expect(try empty.encoded() == emptyCanonical)
    }

    @Test func theDocumentationNamesEveryField() throws {
        let doc = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/output-manifest.md").standardizedFileURL, encoding: .utf8)
        var keys = Set<String>()
        collectKeys(OutputManifest.jsonSchema(), into: &keys)
        let missing = keys.filter { !doc.contains("`\($0)`") }.sorted()
        #expect(missing.isEmpty, "undocumented fields: \(missing)")
    }

    @Test func theDocumentedExampleConformsToTheSchema() throws {
        let doc = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/output-manifest.md").standardizedFileURL, encoding: .utf8)
        let start = try #require(doc.range(of: "```json\n"))
        let end = try #require(doc.range(of: "\n```", range: start.upperBound..<doc.endIndex))
        let example = try JSONDecoder().decode(JSONValue.self, from: Data(doc[start.upperBound..<end.lowerBound].utf8))
        let schema = OutputManifest.jsonSchema()
        var problems = [String]()
        check(example, against: schema, root: schema, at: "$", problems: &problems)
        #expect(problems.isEmpty, "\(problems)")
    }

    // MARK: - Schema walking

    func resolve(_ schema: JSONValue, root: JSONValue) -> JSONValue {
        guard case let .string(ref)? = schema["$ref"], ref.hasPrefix("#/$defs/") else { return schema }
        return root["$defs"]?[String(ref.dropFirst(8))] ?? schema
    }

    func check(_ value: JSONValue, against schema: JSONValue, root: JSONValue, at path: String, problems: inout [String]) {
        let schema = resolve(schema, root: root)
        switch value {
        case let .object(pairs):
            let members = Dictionary(pairs, uniquingKeysWith: { first, _ in first })
            guard let properties = schema["properties"] else {
                if let extra = schema["additionalProperties"], extra != .bool(false) {
                    for (k, v) in members { check(v, against: extra, root: root, at: "\(path).\(k)", problems: &problems) }
                } else if schema["additionalProperties"] == .bool(false) {
                    problems.append("\(path) has members but the schema allows none")
                }
                return
            }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                guard let sub = properties[key] else { problems.append("\(path).\(key) is not in the schema"); continue }
                check(member, against: sub, root: root, at: "\(path).\(key)", problems: &problems)
            }
            if case let .array(required)? = schema["required"] {
                for case let .string(key) in required where members[key] == nil {
                    problems.append("\(path).\(key) is required but missing")
                }
            }
        case let .array(items):
            guard let itemSchema = schema["items"] else { problems.append("\(path) is an array the schema does not describe"); return }
            for (i, item) in items.enumerated() { check(item, against: itemSchema, root: root, at: "\(path)[\(i)]", problems: &problems) }
        case let .string(s):
            if case let .array(allowed)? = schema["enum"], !allowed.contains(.string(s)) {
                problems.append("\(path) = \(s) is not one of the schema's values")
            }
        default:
            break
        }
    }

    func collectKeys(_ schema: JSONValue, into keys: inout Set<String>) {
        guard case .object = schema else { return }
        let o = schema
        if case let .object(properties)? = o["properties"] {
            for (k, v) in properties {
                keys.insert(k)
                collectKeys(v, into: &keys)
            }
        }
        if case let .object(defs)? = o["$defs"] { for (_, v) in defs { collectKeys(v, into: &keys) } }
        if let items = o["items"] { collectKeys(items, into: &keys) }
    }
}
