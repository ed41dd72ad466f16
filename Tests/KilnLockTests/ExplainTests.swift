import Foundation
import KilnCore
@testable import KilnLock
import Testing

@Suite struct ExplainTests {
    typealias S = LockSamples

    private func explain(_ step: PlannedStep, upstream: [StepID: String] = S.upstream, previous: LockFile.Step?,
                         cacheHasKey: Bool = false, outputsMatch: Bool = false) -> StaleReason {
        Explainer.explain(step: step, fingerprint: StepFingerprint(step: step, upstreamKeys: upstream),
                          previous: previous, cacheHasKey: cacheHasKey, outputsMatch: outputsMatch)
    }

    @Test func newUpToDateCachedAndMissing() {
        let previous = S.entry(S.generate)
        #expect(explain(S.generate, previous: nil) == .newStep)
        #expect(explain(S.generate, previous: nil).line(for: S.genID) == "p/a/gen: new step")
        #expect(explain(S.generate, previous: previous, outputsMatch: true) == .upToDate)
        #expect(explain(S.generate, previous: previous, cacheHasKey: true) == .cached)
        #expect(explain(S.generate, previous: nil, cacheHasKey: true) == .cached)
        let missing = explain(S.generate, previous: previous)
        #expect(missing == .cacheMissing)
        #expect(missing.needsRun && !StaleReason.cached.needsRun && !StaleReason.upToDate.needsRun)
        #expect(missing.description == "cache entry missing and outputs do not match kiln.lock")
        // Outputs matching an *older* key prove nothing: the step changed.
        var changed = S.generate
        changed.parameters?.quality = .high
        changed.cacheKey = "key-gen-2"
        #expect(explain(changed, previous: previous, outputsMatch: true).needsRun)
    }

    @Test func parameterChangeShowsOldAndNew() {
        var step = S.generate
        step.parameters?.quality = .high
        step.model = "gpt-image-1.5"
        step.cacheKey = "key-gen-2"
        let reason = explain(step, previous: S.entry(S.generate))
        #expect(reason == .changed([FieldChange(field: "model", old: "gpt-image-1", new: "gpt-image-1.5"),
                                    FieldChange(field: "quality", old: "low", new: "high")]))
        #expect(reason.line(for: S.genID) == "p/a/gen: model: gpt-image-1 → gpt-image-1.5; quality: low → high")
    }

    @Test func addedAndRemovedFieldsSayNone() {
        var step = S.generate
        step.parameters?.compression = 70
        step.parameters?.moderation = nil
        step.cacheKey = "key-gen-2"
        #expect(explain(step, previous: S.entry(S.generate)).description
            == "compression: none → 70; moderation: low → none")
    }

    @Test func promptChangeIsQuotedAndTruncated() {
        var step = S.generate
        step.prompt = String(repeating: "a very long prompt about a fox ", count: 4)
        step.cacheKey = "key-gen-2"
        let text = explain(step, previous: S.entry(S.generate)).description
        #expect(text.hasPrefix("prompt: \"a red fox in the snow\" → \"a very long prompt about a fox a very long"))
        #expect(text.hasSuffix("…\""))
        let newPart = text.components(separatedBy: " → ")[1]
        #expect(newPart.count == FieldChange.promptLimit + 2)  // 60 characters and the quotes
    }

    @Test func inputFileChangeNamesTheFile() {
        var step = S.edit
        step.inputs[0] = .file(path: "pipelines/in put.png", digest: S.digestB)
        step.cacheKey = "key-edit-2"
        #expect(explain(step, previous: S.entry(S.edit)).line(for: S.editID)
            == "p/a@red/edit: input file pipelines/in put.png changed")
        var replaced = S.edit
        replaced.inputs[0] = .file(path: "pipelines/other.png", digest: S.digestA)
        replaced.mask = .file(path: "pipelines/mask.png", digest: S.digestA)
        replaced.cacheKey = "key-edit-3"
        #expect(explain(replaced, previous: S.entry(S.edit)).description
            == "input[0]: file pipelines/in put.png → file pipelines/other.png; mask file pipelines/mask.png changed")
    }

    @Test func upstreamChangeNamesTheStep() {
        var step = S.thumb
        step.cacheKey = "key-thumb-2"
        let reason = explain(step, upstream: [S.genID: "key-gen-2"], previous: S.entry(S.thumb))
        #expect(reason.line(for: S.thumbID) == "p/a/thumb: upstream step p/a/gen changed")
    }

    @Test func saltAloneIsAReroll() {
        var step = S.generate
        step.salt = "two"
        step.cacheKey = "key-gen-2"
        let reason = explain(step, previous: S.entry(S.generate))
        #expect(reason == .saltChanged(old: "one", new: "two"))
        #expect(reason.description == "salt changed: one → two (re-roll)")
        step.prompt = "a grey wolf"
        #expect(explain(step, previous: S.entry(S.generate)).description
            == "prompt: \"a red fox in the snow\" → \"a grey wolf\"; salt: one → two")
    }

    @Test func keyChangeWithoutFieldChange() {
        var step = S.generate
        step.cacheKey = "key-gen-v2-format"
        let reason = explain(step, previous: S.entry(S.generate))
        #expect(reason == .changed([]))
        #expect(reason.description.contains("cache key changed"))
    }

    /// The explanation works from a lockfile read back from disk, not only from memory.
    @Test func explainsAgainstALockReadFromDisk() throws {
        let dir = try S.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(LockFile.fileName)
        try S.lock().write(to: url)
        let lock = try #require(try LockFile.read(from: url))
        var step = S.thumb
        step.derive?.resize = ResizeSpec(width: 128, height: nil)
        step.cacheKey = "key-thumb-2"
        #expect(explain(step, previous: lock.steps[S.thumbID]).description
            == "resize: 256xauto fit=contain → 128xauto fit=contain")
    }
}
