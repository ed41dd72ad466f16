import Foundation
import KilnCore
import Testing

/// `candidates:`, `kiln pick` and `kiln reroll` through the real binary, offline (placeholder
/// images differ per candidate: each shows its step id), with no API key.
@Suite struct CandidateTests {
    @Test func candidatesAreStepsWithTheirOwnKeysFilesAndGalleryCards() async throws {
        // Built first without candidates: the lock has no picks section, and adding candidates
        // keeps that image as candidate 1.
        let project = try CandidateProject(manifest: CandidateProject.manifest(candidates: nil))
        defer { project.remove() }
        #expect(try await project.kiln(["build"]).status == 0)
        let plain = try project.read("outputs/icons/app.png")
        #expect(!project.lockText.contains("\"picks\"") && !project.lockText.contains("\"rerolls\""))

        try project.write(CandidateProject.manifest(candidates: 3))
        let build = try await project.kiln(["build", "--json"])
        #expect(build.status == 0, "\(build.stderr)")
        let summary = try #require(CandidateProject.summary(build.stdout))
        #expect(summary["cached"] as? Int == 1 && summary["built"] as? Int == 2, "\(summary)")   // 1 kept, 2 new
        let files = try (1...3).map { try project.read("outputs/icons/app.candidates/\($0).png") }
        #expect(files[0] == plain && Set(files).count == 3)
        #expect(try project.read("outputs/icons/app.png") == plain)
        let keys = try ["icons/app/main", "icons/app/main~2", "icons/app/main~3"].map { try project.lockEntry($0)?["cache_key"] as? String }
        #expect(Set(keys.compactMap { $0 }).count == 3)

        let plan = try await project.kiln(["plan"])
        #expect(plan.stdout.contains("#1 icons/app/main (+1 same)") && plan.stdout.contains("icons/app/main~3"), "\(plan.stdout)")
        #expect(plan.stdout.contains("icons/app/main: unpicked (using candidate 1 of 3)"), "\(plan.stdout)")
        let status = try await project.kiln(["status"])
        #expect(status.stdout.contains("candidates:\n  icons/app/main: unpicked (using candidate 1 of 3)"), "\(status.stdout)")
        let explain = try await project.kiln(["plan", "--explain"])
        #expect(explain.stdout.contains("up to date — unpicked (using candidate 1 of 3)"), "\(explain.stdout)")

        // The gallery shows the three side by side (one variant), the one in use marked.
        let html = try String(contentsOf: project.url("outputs/index.html"), encoding: .utf8)
        for n in 1...3 { #expect(html.contains("icons/app.candidates/\(n).png")) }
        #expect(html.contains("\"candidate\":1,\"") && html.contains("\"pick\":\"unpicked\""))  // keys sorted
    }

    @Test func aPickIsOneLineOfTheLockAndTheNextBuildUsesItWithoutAKey() async throws {
        let project = try CandidateProject()
        defer { project.remove() }
        #expect(try await project.kiln(["build"]).status == 0)
        let small = try project.read("outputs/icons/app-16.png")

        let lockBefore = project.lockText
        let pick = try await project.kiln(["pick", "icons/app", "2"])
        #expect(pick.status == 0, "\(pick.stderr)")
        #expect(pick.stdout.contains("icons/app/main: picked candidate 2 of 3 (before: unpicked, candidate 1 in use)"), "\(pick.stdout)")
        #expect(pick.stdout.contains("0 to pay for"), "a pick needs no provider call: \(pick.stdout)")
        #expect(pick.stdout.contains("icons/app/derive: upstream step icons/app/main changed"), "\(pick.stdout)")
        #expect(project.lockText == lockBefore.replacingOccurrences(of: "{\n  \"steps\"",
                                                                     with: "{\n  \"picks\": {\n    \"icons/app/main\": 2\n  },\n  \"steps\""))
        // Not built yet: the lock still says candidate 1, so --locked refuses.
        #expect(try await project.kiln(["build", "--locked"]).status == 3)
        let explain = try await project.kiln(["plan", "--explain"])
        #expect(explain.stdout.contains("cached — picked candidate 2 of 3, was candidate 1"), "\(explain.stdout)")

        let build = try await project.kiln(["build", "--json"])
        #expect(build.status == 0, "\(build.stderr)")
        let summary = try #require(CandidateProject.summary(build.stdout))
        #expect(summary["cached"] as? Int == 2 && summary["built"] as? Int == 1, "\(summary)")   // main, main~1; the derive
        #expect(try project.read("outputs/icons/app.png") == project.read("outputs/icons/app.candidates/2.png"))
        #expect(try project.read("outputs/icons/app-16.png") != small)
        let locked = try await project.kiln(["build", "--locked"])
        #expect(locked.status == 0 && locked.stderr.contains("up to date"), "\(locked.stderr)")
        let html = try String(contentsOf: project.url("outputs/index.html"), encoding: .utf8)
        #expect(html.contains("\"candidate\":2,") && html.contains("\"pick\":\"picked\""))

        // A second pick is exactly one changed line.
        let lockPicked = project.lockText
        #expect(try await project.kiln(["pick", "app", "3"]).status == 0)
        #expect(CandidateProject.changedLines(lockPicked, project.lockText) == ["    \"icons/app/main\": 3"])
        #expect(try await project.kiln(["build"]).status == 0)
        #expect(try project.read("outputs/icons/app.png") == project.read("outputs/icons/app.candidates/3.png"))
        // The same pick again changes nothing.
        let lockNow = project.lockText
        let again = try await project.kiln(["pick", "icons/app", "3"])
        #expect(again.status == 0 && again.stdout.contains("already"), "\(again.stdout)")
        #expect(project.lockText == lockNow)
    }

    @Test(arguments: [
        (["pick", "icons/ap", "1"], "no asset, variant or step is named 'icons/ap' (did you mean 'icons/app'?)"),
        (["pick", "nothing-like-it", "1"], "no asset, variant or step is named 'nothing-like-it'"),
        (["pick", "icons/badge", "1"], "'icons/badge' has no candidates: add `candidates: N` (2–10) to its generate step"),
        (["pick", "icons/app/derive", "1"], "'icons/app/derive' has no candidates"),
        (["pick", "icons/app", "4"], "icons/app/main has 3 candidates: K must be 1–3, not 4"),
        (["pick", "icons/app", "0"], "K must be 1–3, not 0"),
        (["pick", "icons/app", "two"], "K must be a candidate number 1–3, not 'two'"),
        (["reroll", "icons/app", "--keep", "9"], "--keep must be 1–3, not 9"),
        (["reroll", "icons/badge"], "'icons/badge' has no candidates"),
        (["reroll", "icons/app@blue"], "no asset, variant or step is named 'icons/app@blue'"),
    ])
    func badInputIsRefusedAndTheLockIsLeftByteForByte(arguments: [String], message: String) async throws {
        let project = try CandidateProject()
        defer { project.remove() }
        #expect(try await project.kiln(["build"]).status == 0)
        #expect(try await project.kiln(["pick", "icons/app", "2"]).status == 0)
        let before = try project.read("kiln.lock")
        let result = try await project.kiln(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.contains("kiln.lock was not changed"), "\(result.stderr)")
        #expect(try project.read("kiln.lock") == before)
    }

    /// With a matrix, a target naming several variants' steps is refused; one variant is fine.
    @Test func aTargetMustNameOneStepWithCandidates() async throws {
        let project = try CandidateProject(manifest: """
        version: 1
        defaults: { model: gpt-image-2-2026-04-21, size: 64x64, quality: low }
        assets:
          app: { matrix: { tone: [warm, cool] }, prompt: "a {{tone}} icon", candidates: 2 }
        """)
        defer { project.remove() }
        #expect(try await project.kiln(["build"]).status == 0)
        let before = try project.read("kiln.lock")
        let many = try await project.kiln(["pick", "icons/app", "2"])
        #expect(many.status == 2 && many.stderr.contains("'icons/app' names 2 steps with candidates (icons/app@cool/main, icons/app@warm/main): name one of them"),
                "\(many.stderr)")
        #expect(try project.read("kiln.lock") == before)
        #expect(try await project.kiln(["pick", "app@warm", "2"]).status == 0)
        #expect(project.lockText.contains("\"icons/app@warm/main\": 2"))
        // A candidate's own id names its step.
        #expect(try await project.kiln(["pick", "icons/app@cool/main~2", "1"]).status == 0)
        #expect(project.lockText.contains("\"icons/app@cool/main\": 1"))
    }

    @Test func anInvalidManifestOrLockChangesNothing() async throws {
        let project = try CandidateProject()
        defer { project.remove() }
        #expect(try await project.kiln(["build"]).status == 0)
        let before = try project.read("kiln.lock")
        try project.write(CandidateProject.manifest(candidates: 11))
        let bad = try await project.kiln(["pick", "icons/app", "2"])
        #expect(bad.status == 2 && bad.stderr.contains("'candidates' must be an integer 1–10, not 11"), "\(bad.stderr)")
        #expect(try project.read("kiln.lock") == before)
        try project.write(CandidateProject.manifest(candidates: 3))
        try Data("{\"picks\": {\"icons/app/main\": \"two\"}, \"steps\": {}, \"version\": 1}".utf8).write(to: project.url("kiln.lock"))
        let malformed = try await project.kiln(["reroll", "icons/app"])
        #expect(malformed.status == 2 && malformed.stderr.contains("kiln.lock: the lockfile is malformed"), "\(malformed.stderr)")
    }

    /// A re-roll gives new keys to the candidates it names and leaves the kept one; the old ones
    /// stay in the cache until gc, which keeps every candidate kiln.lock names.
    @Test func aRerollMakesNewCandidatesAndGcKeepsWhatTheLockNames() async throws {
        let project = try CandidateProject()
        defer { project.remove() }
        #expect(try await project.kiln(["build"]).status == 0)
        // gc keeps every candidate the lock names: all of them come back without a call.
        #expect(try await project.kiln(["cache", "gc", "--keep-days", "0"]).stdout.hasPrefix("removed 0 entries"))
        try FileManager.default.removeItem(at: project.url("outputs"))
        let restored = try await project.kiln(["build", "--locked"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(try await project.kiln(["pick", "icons/app", "2"]).status == 0)
        #expect(try await project.kiln(["build"]).status == 0)
        _ = try await project.kiln(["cache", "gc", "--keep-days", "0"])   // what the pick left behind
        let kept = try project.read("outputs/icons/app.candidates/2.png")
        let keys = try (1...3).map { try project.lockEntry($0 == 2 ? "icons/app/main" : "icons/app/main~\($0)")?["cache_key"] as? String }

        let lockBefore = project.lockText
        let reroll = try await project.kiln(["reroll", "icons/app", "--keep", "2"])
        #expect(reroll.status == 0, "\(reroll.stderr)")
        #expect(reroll.stdout.contains("re-rolled candidate(s) 1, 3 of 3 with salt "), "\(reroll.stdout)")
        #expect(reroll.stdout.contains("kept candidate 2, now picked"), "\(reroll.stdout)")
        #expect(reroll.stdout.contains("2 to pay for"), "\(reroll.stdout)")
        let salt = try #require(reroll.stdout.split(separator: " ").drop { $0 != "salt" }.dropFirst().first)
        #expect(salt.count == 8)
        #expect(project.lockText == lockBefore.replacingOccurrences(of: "  \"steps\": {", with: """
              "rerolls": {
                "icons/app/main~1": "\(salt)",
                "icons/app/main~3": "\(salt)"
              },
              "steps": {
            """))
        let explain = try await project.kiln(["plan", "--explain"]).stdout.split(separator: "\n")
        #expect(explain.contains { $0.hasPrefix("icons/app/main~1 ") && $0.hasSuffix("re-rolled (kiln reroll): salt none → \(salt)") },
                "\(explain)")
        #expect(explain.contains { $0.hasPrefix("icons/app/main ") && $0.contains("up to date — picked candidate 2 of 3") }, "\(explain)")

        #expect(try await project.kiln(["build"]).status == 0)
        #expect(try project.read("outputs/icons/app.candidates/2.png") == kept)
        #expect(try project.read("outputs/icons/app.png") == kept)
        let after = try (1...3).map { try project.lockEntry($0 == 2 ? "icons/app/main" : "icons/app/main~\($0)")?["cache_key"] as? String }
        #expect(after[1] == keys[1] && after[0] != keys[0] && after[2] != keys[2])
        // The replaced candidates stay in the gallery, marked re-rolled, beside the new ones.
        #expect(reroll.stdout.contains("the 2 replaced candidate(s) stay in the cache, and in the gallery"), "\(reroll.stdout)")
        var rerolled = try project.galleryItems().filter { $0["rerolled"] != nil }
        #expect(rerolled.compactMap { $0["candidate"] as? Int }.sorted() == [1, 3], "\(rerolled)")
        #expect(rerolled.allSatisfy { $0["asset"] as? String == "app" && $0["pick"] == nil && $0["thumb"] != nil })
        for item in rerolled {
            let path = try #require(item["path"] as? String)
            #expect(path.hasPrefix("kiln-gallery/rerolled/"), "\(path)")
            let copy = try project.read("outputs/" + path)
            #expect(Digest.sha256(copy) == path.split(separator: "/").last?.split(separator: ".").first.map(String.init))
            #expect(copy != kept)
        }
        #expect(try await project.kiln(["report"]).status == 0)
        rerolled = try project.galleryItems().filter { $0["rerolled"] != nil }
        #expect(rerolled.count == 2, "kiln report shows them too")

        let gc = try await project.kiln(["cache", "gc", "--keep-days", "0"])
        #expect(gc.stdout.hasPrefix("removed 2 entries"), "\(gc.stdout)")   // the old candidates 1 and 3
        // gc removed their answers: the next page forgets them and their copies.
        #expect(try await project.kiln(["report"]).status == 0)
        #expect(try project.galleryItems().filter { $0["rerolled"] != nil }.isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: project.url("outputs/kiln-gallery/rerolled").path)) ?? []).isEmpty)
        #expect(!(try String(contentsOf: project.url(".kiln/rerolled.json"), encoding: .utf8)).contains("main~"))

        // Without --keep, every candidate is new and the step is unpicked again.
        #expect(try await project.kiln(["reroll", "icons/app"]).status == 0)
        #expect(!project.lockText.contains("\"picks\""))
        let status = try await project.kiln(["status"])
        #expect(status.stdout.contains("3 to pay for") && status.stdout.contains("unpicked (using candidate 1 of 3)"), "\(status.stdout)")
    }
}
