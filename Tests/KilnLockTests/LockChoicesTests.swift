import Foundation
import KilnCore
@testable import KilnLock
import Testing

/// kiln.lock's `picks` and `rerolls`: one line per entry, absent when empty, kept by builds, and
/// locks written before they existed still read.
@Suite struct LockChoicesTests {
    typealias S = LockSamples
    static let main = StepID(pipeline: "icons", asset: "app", variant: nil, step: "main")
    static let blue = StepID(pipeline: "icons", asset: "app", variant: "blue", step: "main")

    static func lockWithChoices() -> LockFile {
        var lock = S.lock()
        lock.choices = CandidateChoices(picks: [blue: 3, main: 2],
                                        rerolls: [main.candidate(2): "9f3a61c0", main.candidate(1): "9f3a61c0"])
        return lock
    }

    @Test func choicesAreSortedSectionsOfOneLinePerEntryBeforeTheSteps() throws {
        let text = String(decoding: Self.lockWithChoices().encoded(), as: UTF8.self)
        #expect(text.hasPrefix("""
        {
          "picks": {
            "icons/app/main": 2,
            "icons/app@blue/main": 3
          },
          "rerolls": {
            "icons/app/main~1": "9f3a61c0",
            "icons/app/main~2": "9f3a61c0"
          },
          "steps": {
        """), "\(text)")
        let back = try LockFile.decode(Data(text.utf8), path: "kiln.lock")
        #expect(back == Self.lockWithChoices())
        #expect(back.encoded() == Self.lockWithChoices().encoded())
        // Another JSON reader agrees.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect((object["picks"] as? [String: Int])?["icons/app/main"] == 2)
    }

    /// A lock without candidates keeps its bytes, and one written before the sections existed reads
    /// with no choices.
    @Test func aLockWithoutChoicesIsAsBeforeAndAnOldLockReads() throws {
        let old = S.lock().encoded()
        #expect(!String(decoding: old, as: UTF8.self).contains("picks"))
        #expect(String(decoding: old, as: UTF8.self).hasPrefix("{\n  \"steps\": {\n"))
        let back = try LockFile.decode(old, path: "kiln.lock")
        #expect(back.choices.isEmpty)
        #expect(back.encoded() == old)
        // Exactly the shape an earlier Kiln wrote (no sections at all), and an empty lock.
        let earlier = #"{"steps": {"p/a/gen": {"cache_key": "k", "kind": "generate", "outputs": []}}, "version": 1}"#
        #expect(try LockFile.decode(Data(earlier.utf8), path: "kiln.lock").choices.isEmpty)
        #expect(try LockFile.decode(Data(#"{"steps": {}, "version": 1}"#.utf8), path: "kiln.lock") == LockFile())
    }

    /// Changing one pick changes one line of the file.
    @Test func aPickIsAOneLineDiff() {
        var lock = Self.lockWithChoices()
        let before = String(decoding: lock.encoded(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        lock.choices.picks[Self.main] = 4
        let after = String(decoding: lock.encoded(), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(before.count == after.count)
        let changed = before.indices.filter { before[$0] != after[$0] }
        #expect(changed.map { after[$0] } == ["    \"icons/app/main\": 4,"])
    }

    @Test(arguments: [
        (#"{"picks": {"nope": 2}, "steps": {}, "version": 1}"#, "not a step id"),
        (#"{"picks": {"p/a/main": 0}, "steps": {}, "version": 1}"#, "not a candidate number"),
        (#"{"picks": {"p/a/main": "two"}, "steps": {}, "version": 1}"#, "malformed"),
        (#"{"rerolls": {"p/a/main": "abc"}, "steps": {}, "version": 1}"#, "not a candidate's step id"),
        (#"{"rerolls": {"p/a/main~2": 7}, "steps": {}, "version": 1}"#, "malformed"),
        (#"{"picks": {"p/a/main": 2}, "steps": {}, "version": 2}"#, "format version 2"),
    ])
    func malformedChoicesNameTheFile(text: String, expected: String) {
        let error = #expect(throws: LockFileError.self) { try LockFile.decode(Data(text.utf8), path: "kiln.lock") }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
    }

    /// A build keeps the choices; a full build drops those of steps that no longer have candidates.
    @Test func buildsKeepChoicesAndAFullBuildDropsTheGoneOnes() {
        var plan = Plan(steps: [S.generate, TestStep.candidate(of: Self.main, 2)])
        plan.candidates = [Self.main: CandidateSet(count: 2, chosen: 2, picked: true)]
        let lock = Self.lockWithChoices()
        let partial = lock.updated(produced: [:], upToDate: [], plan: plan, keepOthers: true)
        #expect(partial.choices == lock.choices)
        let full = lock.updated(produced: [:], upToDate: [], plan: plan, keepOthers: false)
        #expect(full.choices == CandidateChoices(picks: [Self.main: 2], rerolls: [Self.main.candidate(2): "9f3a61c0"]))
    }

    @Test func candidateIDsParseBack() {
        let id = Self.blue.candidate(7)
        #expect(id.description == "icons/app@blue/main~7")
        #expect(id.candidateOf?.step == Self.blue && id.candidateOf?.number == 7)
        #expect(LockFile.fastStepID(id.description) == id)
        #expect(Self.blue.candidateOf == nil)
        #expect(StepID(pipeline: "p", asset: "a", variant: nil, step: "main~x").candidateOf == nil)
    }

    /// What `kiln plan --explain` says when only the pick or a re-roll changed a step's key.
    @Test func aPickAndARerollExplainThemselves() {
        var picked = S.generate
        picked.candidate = 1
        var now = picked
        now.candidate = 3
        now.cacheKey = "key-gen-3"
        let previous = S.entry(picked)
        let fingerprint = StepFingerprint(step: now, upstreamKeys: S.upstream)
        let reason = Explainer.explain(step: now, fingerprint: fingerprint, previous: previous, cacheHasKey: false, outputsMatch: false)
        #expect(reason.description == "candidate 1 → 3 (kiln pick)")
        var rerolled = picked
        rerolled.reroll = "9f3a61c0"
        rerolled.cacheKey = "key-gen-r"
        let again = Explainer.explain(step: rerolled, fingerprint: StepFingerprint(step: rerolled, upstreamKeys: S.upstream),
                                      previous: previous, cacheHasKey: false, outputsMatch: false)
        #expect(again.description == "re-rolled (kiln reroll): salt none → 9f3a61c0")
    }
}

enum TestStep {
    /// Candidate `number` of `step`, as the planner makes it (only what the lock reads).
    static func candidate(of step: StepID, _ number: Int) -> PlannedStep {
        PlannedStep(id: step.candidate(number), kind: .generate, provider: "openai", model: "gpt-image-1.5",
                    prompt: "an icon", parameters: ImageParameters(n: 1), candidate: number, cacheKey: "key-\(number)")
    }
}
