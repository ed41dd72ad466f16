import Foundation
import KilnCore
import KilnManifest
import KilnPlanner
import Testing

/// `candidates: N`: N steps with N keys, the one in use merged with the step itself.
@Suite struct CandidatePlanningTests {
    static func manifest(candidates: Int?, extra: String = "") -> String {
        """
        version: 1
        assets:
          app:
            prompt: "an app icon"
        \(candidates.map { "    candidates: \($0)\n" } ?? "")    output: icons/app.png
            derive:
              - { resize: 64, output: icons/app-64.png }
        \(extra)
        """
    }

    static func planned(_ yaml: String, choices: CandidateChoices = CandidateChoices(), targets: [String] = []) throws -> Plan {
        let loaded = ManifestLoader.load(text: yaml, displayPath: "p.yaml", directory: repositoryRoot.appendingPathComponent("pipelines").path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics)")
        var options = PlannerOptions(defaultProvider: "openai")
        options.choices = choices
        return try Planner.plan([try #require(loaded.manifest)], targets: targets, options: options)
    }

    static let main = StepID(pipeline: "p", asset: "app", variant: nil, step: "main")

    @Test func eachCandidateIsAStepWithItsOwnKeyAndFileAndTheFirstIsInUse() throws {
        let plan = try Self.planned(Self.manifest(candidates: 3))
        #expect(plan.steps.map(\.id.step) == ["main", "main~2", "main~3", "derive"])
        let main = plan.steps[0]
        #expect(main.aliases == [Self.main.candidate(1)])
        #expect(main.outputs.map(\.path) == ["icons/app.png", "icons/app.candidates/1.png"])
        #expect(main.outputs.map(\.owner) == [Self.main, Self.main.candidate(1)])
        #expect(plan.steps[1].outputs.map(\.path) == ["icons/app.candidates/2.png"])
        #expect(Set(plan.steps.filter { $0.kind == .generate }.map(\.cacheKey)).count == 3)
        #expect(plan.steps.filter { $0.kind == .generate }.map(\.prompt) == Array(repeating: "an app icon", count: 3))
        #expect(plan.candidates == [Self.main: CandidateSet(count: 3, chosen: 1, picked: false)])
        #expect(plan.candidates[Self.main]?.summary == "unpicked (using candidate 1 of 3)")
        #expect(plan.steps[3].dependencies == [Self.main])
        // Three requests are priced, not one.
        #expect(plan.steps.compactMap(\.estimate).count == 3)
    }

    /// Candidate 1 is the step as it was; going from 2 to 4 keeps the keys of 1 and 2.
    @Test func addingCandidatesKeepsTheKeysOfTheOnesThereAlready() throws {
        let plain = keys(try Self.planned(Self.manifest(candidates: nil)))
        let two = keys(try Self.planned(Self.manifest(candidates: 2)))
        let four = keys(try Self.planned(Self.manifest(candidates: 4)))
        #expect(two["p/app/main~1"] == plain["p/app/main"])
        #expect(two["p/app/main"] == plain["p/app/main"])
        #expect(two["p/app/derive"] == plain["p/app/derive"])
        for id in ["p/app/main~1", "p/app/main~2"] { #expect(four[id] == two[id], "\(id)") }
        #expect(Set([four["p/app/main~3"], four["p/app/main~4"], four["p/app/main~1"], four["p/app/main~2"]]).count == 4)
        // candidates: 1 is a plain step.
        #expect(keys(try Self.planned(Self.manifest(candidates: 1))) == plain)
    }

    @Test func aPickMovesTheStepAndWhatReadsItToThatCandidate() throws {
        let before = try Self.planned(Self.manifest(candidates: 3))
        let picked = try Self.planned(Self.manifest(candidates: 3), choices: CandidateChoices(picks: [Self.main: 2]))
        let b = keys(before), p = keys(picked)
        #expect(p["p/app/main"] == b["p/app/main~2"])
        #expect(p["p/app/main~2"] == b["p/app/main~2"] && p["p/app/main~1"] == b["p/app/main~1"])
        #expect(p["p/app/derive"] != b["p/app/derive"])
        let main = try #require(picked.steps.first { $0.id == Self.main })
        #expect(main.aliases == [Self.main.candidate(2)] && main.candidate == 2)
        #expect(main.outputs.map(\.path) == ["icons/app.png", "icons/app.candidates/2.png"])
        #expect(picked.candidates[Self.main] == CandidateSet(count: 3, chosen: 2, picked: true))
        // A pick past N (the manifest now asks for fewer) is not used.
        let stale = try Self.planned(Self.manifest(candidates: 3), choices: CandidateChoices(picks: [Self.main: 5]))
        #expect(keys(stale) == b)
        #expect(stale.candidates[Self.main]?.ignoredPick == 5)
        #expect(stale.candidates[Self.main]?.summary.contains("kiln.lock picks candidate 5, which no longer exists") == true)
    }

    @Test func aRerollSaltChangesOnlyThatCandidatesKey() throws {
        let before = keys(try Self.planned(Self.manifest(candidates: 3)))
        let salts = [Self.main.candidate(1): "aa", Self.main.candidate(3): "aa"]
        let plan = try Self.planned(Self.manifest(candidates: 3), choices: CandidateChoices(picks: [Self.main: 2], rerolls: salts))
        let after = keys(plan)
        #expect(after["p/app/main~2"] == before["p/app/main~2"])
        #expect(after["p/app/main~1"] != before["p/app/main~1"] && after["p/app/main~3"] != before["p/app/main~3"])
        #expect(after["p/app/main~1"] != after["p/app/main~3"])
        #expect(plan.steps.first { $0.id == Self.main.candidate(1) }?.reroll == "aa")
        // The step in use is the kept candidate: nothing downstream changes.
        #expect(after["p/app/main"] == before["p/app/main~2"])
    }

    @Test func intermediateAndMatrixCandidatesGetAFolderOfTheirOwn() throws {
        let plan = try Self.planned("""
        version: 1
        assets:
          banner:
            matrix: { tone: [warm, cool] }
            steps:
              backdrop: { generate: { prompt: "a {{tone}} backdrop", size: 1536x1024, candidates: 2 } }
              small: { derive: { from: "@backdrop", resize: 640 }, output: "b/{{tone}}.png" }
        """, targets: ["p/banner@cool"])
        let paths = plan.steps.flatMap { $0.outputs.map(\.path) }.sorted()
        #expect(paths == ["b/cool.png", "p/banner/cool.backdrop.candidates/1.png", "p/banner/cool.backdrop.candidates/2.png"])
        #expect(plan.candidates.keys.map(\.description) == ["p/banner@cool/backdrop"])
        // A candidate's id is a target too, and brings nothing else.
        let one = try Self.planned(Self.manifest(candidates: 3), targets: ["p/app/main~3"])
        #expect(one.steps.map(\.id.step) == ["main~3"])
        #expect(Planner.ids(matching: "p/app/main~1", in: try Self.planned(Self.manifest(candidates: 3))) == [Self.main.candidate(1)])
    }

    @Test func theStepIsCalledByItsNameInTemplatesSoCandidatesShareThePrompt() throws {
        let plan = try Self.planned("""
        version: 1
        assets:
          app: { prompt: "icon for step {{step}}", candidates: 2, output: "i/{{step}}.png" }
        """)
        #expect(plan.steps.map(\.prompt) == ["icon for step main", "icon for step main"])
        #expect(plan.steps.flatMap { $0.outputs.map(\.path) } == ["i/main.png", "i/main.candidates/1.png", "i/main.candidates/2.png"])
    }
}
