import Foundation
import KilnCore
@testable import KilnFakeOpenAI
import KilnLock
import KilnManifest
@testable import KilnOpenAI
import KilnOutputs
@testable import KilnPlanner
import Testing

/// Every place an image request's parameters reach is checked against the one table
/// (`ImageParameters.fields`). A failure names the place and the parameters it misses.
@Suite struct ParameterTableTests {
    /// Every parameter set, with values that are not the defaults; jpeg, so a compression is sent.
    let full = ImageParameters(size: .fixed(width: 1024, height: 1536), quality: .high, background: .opaque,
                               format: .jpeg, compression: 70, moderation: .low, n: 2, inputFidelity: .high,
                               user: "team-7")
    let table = ImageParameters.fields
    var keyNames: [String] { table.compactMap(\.keyName) }

    func missing(_ expected: [String], in found: some Sequence<String>) -> [String] {
        let found = Set(found)
        return expected.filter { !found.contains($0) }
    }

    @Test func everyStoredPropertyHasARowAndEveryRowReadsOne() throws {
        let properties = Mirror(reflecting: full).children.compactMap(\.label)
        #expect(properties.count == table.count,
                "ImageParameters has \(properties.count) properties (\(properties)), the table \(table.count) rows")
        let unset = table.filter { $0.value(full) == nil }.map(\.apiName)
        #expect(unset.isEmpty, "rows that read no property: \(unset)")
        // Codable (CodingKeys) spells each property as the table does.
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? [String: Any]
        #expect(Set(encoded?.keys.map { $0 } ?? []) == Set(table.map(\.apiName)))
    }

    @Test func theCacheKeyHoldsEveryParameterThatDecidesTheImage() {
        let text = CacheKey.fragment { $0.parameters(full) }
        let absent = keyNames.filter { !text.contains(";\($0)=") && !text.hasPrefix("\($0)=") }
        #expect(absent.isEmpty, "the cache key leaves out \(absent)")
        #expect(!text.contains("team-7"), "user does not change the image and stays out of the key")
    }

    @Test func theFingerprintAndTheStaleReasonsNameEachParameter() {
        let step = PlannedStep(id: StepID(pipeline: "p", asset: "a", variant: nil, step: "s"), kind: .edit,
                               provider: "openai", model: "gpt-image-1", prompt: "x", parameters: full,
                               cacheKey: String(repeating: "ab", count: 32))
        let fingerprint = StepFingerprint(step: step, upstreamKeys: [:])
        #expect(missing(keyNames, in: fingerprint.fields.map(\.name)).isEmpty,
                "kiln.lock's fingerprint leaves out \(missing(keyNames, in: fingerprint.fields.map(\.name)))")
        let changed = Explainer.changes(from: [:], to: fingerprint).map(\.field)
        #expect(missing(keyNames, in: changed).isEmpty, "stale reasons leave out \(missing(keyNames, in: changed))")
    }

    @Test func eachEndpointsRequestSendsItsRowsAndTheFakeServerKnowsThem() throws {
        let request = { (kind: StepKind) in
            ImageRequest(stepID: StepID(pipeline: "p", asset: "a", variant: nil, step: "s"), kind: kind,
                         model: "gpt-image-1", prompt: "x", parameters: full)
        }
        let generate = table.filter { $0.endpoints.contains(.generate) }.map(\.apiName)
        let body = try OpenAIRequestBody.generation(request(.generate))
        let json = try #require(try JSONSerialization.jsonObject(with: body.data) as? [String: Any])
        #expect(missing(generate, in: json.keys).isEmpty, "generation JSON leaves out \(missing(generate, in: json.keys))")
        #expect(missing(generate, in: FakeImageRequest.generationFields).isEmpty)

        let edit = table.filter { $0.endpoints.contains(.edit) }.map(\.apiName)
        let form = OpenAIRequestBody.scalarFields(request(.edit), endpoint: .edit).map(\.0)
        #expect(missing(edit, in: form).isEmpty, "the edit form leaves out \(missing(edit, in: form))")
        #expect(missing(edit, in: FakeImageRequest.editTextFields).isEmpty)
        #expect(!form.contains("moderation") && !json.keys.contains("input_fidelity"), "a field sent to the wrong endpoint")
    }

    @Test func theOutputManifestRecordsEveryParameterAndItsSchemaDescribesThem() throws {
        let id = StepID(pipeline: "p", asset: "a", variant: nil, step: "s")
        let file = OutputManifest.File(
            path: "a.jpeg", step: id, asset: "a", variantValues: [:], index: 0, sha256: "00", bytes: 1, width: 1,
            height: 1, format: .jpeg, alpha: false, kind: .edit, parameters: full, cacheKey: "00",
            cost: .init(usd: 0, basis: .none), fromCache: false)
        let entry = try #require(try JSONSerialization.jsonObject(with: file.encodedEntry()) as? [String: Any])
        let recorded = (entry["parameters"] as? [String: Any])?.keys.map { $0 } ?? []
        let all = table.map(\.apiName)
        #expect(missing(all, in: recorded).isEmpty, "outputs/manifest.json leaves out \(missing(all, in: recorded))")

        let schema = OutputManifest.jsonSchema()
        #expect(schema["$defs"]?["file"]?["properties"]?["parameters"] == ["$ref": "#/$defs/parameters"])
        let described = schema["$defs"]?["parameters"]?["properties"]
        guard case let .object(pairs)? = described else {
            Issue.record("the schema has no parameters object")
            return
        }
        #expect(missing(all, in: pairs.map(\.0)).isEmpty, "the schema leaves out \(missing(all, in: pairs.map(\.0)))")
    }

    @Test func theManifestLanguageHasAKeyForEachParameter() {
        let keys = ManifestKeys.parameters.keys.map(\.name)
        let names = table.map { $0.keyName ?? $0.apiName }
        #expect(missing(names, in: keys).isEmpty, "manifests cannot set \(missing(names, in: keys))")
    }
}
