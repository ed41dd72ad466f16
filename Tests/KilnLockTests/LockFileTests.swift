import Foundation
import KilnCore
@testable import KilnLock
import Testing

/// Steps and lockfiles the lock, explain and state tests share.
enum LockSamples {
    static let genID = StepID(pipeline: "p", asset: "a", variant: nil, step: "gen")
    static let editID = StepID(pipeline: "p", asset: "a", variant: "red", step: "edit")
    static let thumbID = StepID(pipeline: "p", asset: "a", variant: nil, step: "thumb")
    static let digestA = String(repeating: "a", count: 64)
    static let digestB = String(repeating: "b", count: 64)

    static let generate = PlannedStep(
        id: genID, kind: .generate, provider: "openai", model: "gpt-image-1", prompt: "a red fox in the snow",
        parameters: ImageParameters(size: .fixed(width: 1024, height: 1024), quality: .low, background: .opaque,
                                    format: .png, compression: nil, moderation: .low, n: 1),
        salt: "one", cacheKey: "key-gen")

    static let edit = PlannedStep(
        id: editID, kind: .edit, provider: "openai", model: "gpt-image-1", prompt: "make it red",
        parameters: ImageParameters(size: .auto, quality: .high, format: .webp, compression: 80, n: 2,
                                    inputFidelity: .high),
        inputs: [.file(path: "pipelines/in put.png", digest: digestA), .step(genID)],
        mask: .file(path: "pipelines/mask.png", digest: digestB), dependencies: [genID], cacheKey: "key-edit")

    static let thumb = PlannedStep(
        id: thumbID, kind: .derive, inputs: [.step(genID)],
        derive: DeriveOperations(crop: CropSpec(width: 800, height: 600), resize: ResizeSpec(width: 256, height: nil),
                                 pad: Insets(all: 4), background: .white, format: .jpeg, quality: 85, strip: true),
        dependencies: [genID], cacheKey: "key-thumb")

    static let upstream = [genID: "key-gen"]

    static func entry(_ step: PlannedStep, outputs: [LockFile.Output] = []) -> LockFile.Step {
        LockFile.Step(step: step, fingerprint: StepFingerprint(step: step, upstreamKeys: upstream), outputs: outputs)
    }

    static func lock() -> LockFile {
        LockFile(steps: [
            genID: entry(generate, outputs: [.init(path: "p/fox.png", sha256: digestA)]),
            editID: entry(edit, outputs: [.init(path: "p/red-1.webp", sha256: digestB),
                                          .init(path: "p/red-0.webp", sha256: digestA)]),
            thumbID: entry(thumb, outputs: [.init(path: "p/thumb.jpg", sha256: digestB)]),
        ])
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite struct LockFileTests {
    typealias S = LockSamples

    /// Each mutation must change exactly the named field of the fingerprint.
    @Test func fingerprintCoversEachField() {
        func check(_ step: PlannedStep, upstream: [StepID: String] = S.upstream, field: String,
                   _ mutate: (inout PlannedStep) -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
            var changed = step
            mutate(&changed)
            let before = StepFingerprint(step: step, upstreamKeys: upstream).dictionary
            let after = StepFingerprint(step: changed, upstreamKeys: upstream).dictionary
            let differing = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
            #expect(differing == [field], "changing \(field)", sourceLocation: sourceLocation)
        }
        check(S.generate, field: "kind") { $0.kind = .edit }
        check(S.generate, field: "provider") { $0.provider = "placeholder" }
        check(S.generate, field: "model") { $0.model = "gpt-image-1.5" }
        check(S.generate, field: "prompt") { $0.prompt = "a grey wolf" }
        check(S.generate, field: "size") { $0.parameters?.size = .fixed(width: 1536, height: 1024) }
        check(S.generate, field: "quality") { $0.parameters?.quality = .high }
        check(S.generate, field: "background") { $0.parameters?.background = .transparent }
        check(S.generate, field: "format") { $0.parameters?.format = .jpeg }
        check(S.generate, field: "compression") { $0.parameters?.compression = 50 }
        check(S.generate, field: "moderation") { $0.parameters?.moderation = .auto }
        check(S.generate, field: "n") { $0.parameters?.n = 3 }
        check(S.edit, field: "input_fidelity") { $0.parameters?.inputFidelity = .low }
        check(S.generate, field: "salt") { $0.salt = "two" }
        check(S.generate, field: "candidate") { $0.candidate = 2 }
        check(S.generate, field: "reroll") { $0.reroll = "9f3a61c0" }
        check(S.edit, field: "input[0]") { $0.inputs[0] = .file(path: "pipelines/in put.png", digest: S.digestB) }
        check(S.edit, field: "mask") { $0.mask = .file(path: "pipelines/mask.png", digest: S.digestA) }
        check(S.thumb, field: "crop") { $0.derive?.crop = CropSpec(x: 10, y: 0, width: 800, height: 600) }
        check(S.thumb, field: "resize") { $0.derive?.resize?.fit = .cover }
        check(S.thumb, field: "pad") { $0.derive?.pad = Insets(all: 8) }
        check(S.thumb, field: "flatten") { $0.derive?.background = .black }
        check(S.thumb, field: "format") { $0.derive?.format = .webp }
        check(S.thumb, field: "quality") { $0.derive?.quality = 70 }
        check(S.thumb, field: "strip") { $0.derive?.strip = false }
        // The upstream step's key, not anything in this step, changes input[0] of a derive.
        let before = StepFingerprint(step: S.thumb, upstreamKeys: S.upstream)
        let after = StepFingerprint(step: S.thumb, upstreamKeys: [S.genID: "key-gen-2"])
        #expect(before["input[0]"] == "step p/a/gen key:key-gen")
        #expect(after["input[0]"] == "step p/a/gen key:key-gen-2")
        #expect(before.fields.filter { $0.name != "input[0]" } == after.fields.filter { $0.name != "input[0]" })
    }

    @Test func fingerprintReadsWellAndOmitsAbsentValues() {
        let edit = StepFingerprint(step: S.edit, upstreamKeys: S.upstream)
        #expect(edit.fields.map(\.name) == ["kind", "provider", "model", "prompt", "size", "quality", "format",
                                            "compression", "n", "input_fidelity", "input[0]", "input[1]", "mask"])
        #expect(edit["input[0]"] == "file pipelines/in put.png sha256:\(S.digestA)")
        #expect(edit["input[1]"] == "step p/a/gen key:key-gen")
        let thumb = StepFingerprint(step: S.thumb, upstreamKeys: S.upstream)
        #expect(thumb["resize"] == "256xauto fit=contain")
        #expect(thumb["crop"] == "x=center y=center 800x600")
        #expect(thumb["provider"] == nil && thumb["prompt"] == nil && thumb["salt"] == nil)
    }

    @Test func roundTripsExactlyAndIsByteStable() throws {
        var lock = S.lock()
        var tricky = S.generate
        tricky.prompt = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / é 🦊"
        lock.steps[StepID(pipeline: "q", asset: "b", variant: "x y", step: "gen")] = S.entry(tricky)
        let data = lock.encoded()
        let back = try LockFile.decode(data, path: "kiln.lock")
        #expect(back == lock)
        #expect(back.encoded() == data)
        #expect(S.lock().encoded() == S.lock().encoded())
        // Valid JSON that another reader agrees with.
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        let steps = try #require(object["steps"] as? [String: Any])
        let q = try #require(steps["q/b@x y/gen"] as? [String: Any])
        #expect((q["fingerprint"] as? [String: String])?["prompt"] == tricky.prompt)
    }

    @Test func sortedWithOneStepPerBlock() throws {
        let text = String(decoding: S.lock().encoded(), as: UTF8.self)
        let ids = text.split(separator: "\n").filter { $0.hasPrefix("    \"") && $0.hasSuffix("{") }
        #expect(ids == ["    \"p/a/gen\": {", "    \"p/a/thumb\": {", "    \"p/a@red/edit\": {"])
        let outputs = text.split(separator: "\n").filter { $0.contains("\"path\"") }.map(String.init)
        #expect(outputs.count == 4 && outputs[2].contains("p/red-0.webp") && outputs[3].contains("p/red-1.webp"))
        #expect(text.hasSuffix("  \"version\": 1\n}\n"))
    }

    /// A change to one step changes only lines inside that step's block.
    @Test func changeToOneStepStaysInItsBlock() throws {
        let before = String(decoding: S.lock().encoded(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var lock = S.lock()
        var thumb = S.thumb
        thumb.derive?.quality = 60
        thumb.cacheKey = "key-thumb-2"
        lock.steps[S.thumbID] = S.entry(thumb, outputs: [.init(path: "p/thumb.jpg", sha256: S.digestA)])
        let after = String(decoding: lock.encoded(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count)
        let changed = before.indices.filter { before[$0] != after[$0] }
        let start = try #require(before.firstIndex(of: "    \"p/a/thumb\": {"))
        let end = try #require(before[start...].firstIndex { $0 == "    }," || $0 == "    }" })
        #expect(changed.count == 3)  // cache_key, quality, the output's digest
        #expect(changed.allSatisfy { $0 > start && $0 < end })
    }

    @Test func readsNothingWhenAbsentAndWritesAtomically() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(LockFile.fileName)
        #expect(try LockFile.read(from: url) == nil)
        try S.lock().write(to: url)
        try LockFile(steps: [:]).write(to: url)
        #expect(try LockFile.read(from: url) == LockFile(steps: [:]))
        try S.lock().write(to: url)
        #expect(try LockFile.read(from: url) == S.lock())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [LockFile.fileName])
    }

    @Test(arguments: [
        ("{\"steps\": {\"p/a/gen\": {\"kind\": \"generate\"}}, \"version\": 1}", "no \"cache_key\""),
        ("{\"steps\": {\"p/a/gen\": {\"cache_key\": \"k\", \"kind\": \"paint\"}}, \"version\": 1}", "unknown kind"),
        ("{\"steps\": {\"nope\": {}}, \"version\": 1}", "not a step id"),
        ("{\"steps\": {}, \"version\": 1", "line 1"),
        ("<<<<<<< HEAD\n{}", "line 1"),
        ("{\"steps\": {}}", "no \"version\""),
        ("{\"steps\": {\"p/a/gen\": [\"a future shape\"]}, \"version\": 2}", "format version 2"),
    ])
    func malformedLockNamesTheFile(text: String, expected: String) throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(LockFile.fileName)
        try Data(text.utf8).write(to: url)
        let error = try #require(throws: LockFileError.self) { try LockFile.read(from: url) }
        #expect(error.description.hasPrefix(url.path + ": the lockfile "))
        #expect(error.description.contains(expected), "\(error)")
        #expect(error.description.hasSuffix("delete it or regenerate it with `kiln build`"))
    }

    @Test(arguments: ["p/a/gen", "p/a@red/edit", "pipe line/as set@x y/st ep", "p/a@b@c/s"])
    func fastStepIDMatchesStepIDParsing(text: String) {
        #expect(LockFile.fastStepID(text) == StepID(parsing: text))
    }
}
