import Foundation
import KilnManifest
import Testing
import Yams

/// The JSON Schema and the decoder read the same key tables; these tests prove they agree.
@Suite struct SchemaTests {
    let json = ManifestSchema.jsonSchema()

    @Test func isDeterministicDraft202012() throws {
        #expect(json == ManifestSchema.jsonSchema())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(json.hasSuffix("}\n"))
    }

    @Test func everyTableKeyIsInTheSchema() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let defs = try #require(object["$defs"] as? [String: Any])
        for table in ManifestKeys.all where table.name != "matrix" {
            let schema = table.name == "manifest" ? object : try #require(defs[table.name] as? [String: Any], "\(table.name)")
            let properties = try #require(schema["properties"] as? [String: Any])
            #expect(Set(properties.keys) == Set(table.names), "\(table.name)")
            #expect(schema["additionalProperties"] as? Bool == false)
        }
    }

    @Test(arguments: Fixtures.names(in: "good"))
    func goodFixturesMatchTheSchema(_ name: String) throws {
        let text = try String(contentsOf: Fixtures.url("good", name), encoding: .utf8)
        let node = try #require(try Yams.compose(yaml: text))
        #expect(try SchemaValidator(json: json).problems(node) == [])
    }

    @Test func everyKeyIsUsedByAGoodFixture() throws {
        let text = try String(contentsOf: Fixtures.url("good", "every-key"), encoding: .utf8)
        let validator = try SchemaValidator(json: json)
        // Each key of each table, when removed from the vocabulary, would make the fixture fail:
        // so the fixture exercises the decoder on every key the schema allows.
        for table in ManifestKeys.all where table.name != "matrix" {
            for key in table.names {
                #expect(text.contains("\(key):"), "every-key.yaml does not use '\(key)' (\(table.name))")
            }
        }
        #expect(validator.problems(try #require(try Yams.compose(yaml: text))) == [])
    }

    @Test(arguments: ["defaults", "asset", "step", "derive", "provider"])
    func unknownKeysAreRejectedByBoth(_ place: String) throws {
        let yaml: String
        switch place {
        case "defaults": yaml = "version: 1\ndefaults: { sise: 1024x1024 }\nassets:\n  a: { prompt: x }\n"
        case "asset": yaml = "version: 1\nassets:\n  a: { prompt: x, promt: y }\n"
        case "step": yaml = "version: 1\nassets:\n  a:\n    steps:\n      s: { generate: { prompt: x }, outptu: a.png }\n"
        case "derive": yaml = "version: 1\nassets:\n  a:\n    prompt: x\n    derive: [{ rezise: 10 }]\n"
        default: yaml = "version: 1\nproviders: { openai: { retry: 2 } }\nassets:\n  a: { prompt: x }\n"
        }
        let decoded = Fixtures.load(yaml)
        #expect(decoded.diagnostics.contains { $0.message.hasPrefix("unknown key") })
        let node = try #require(try Yams.compose(yaml: yaml))
        #expect(try SchemaValidator(json: json).problems(node).contains { $0.contains("unknown key") })
    }
}
