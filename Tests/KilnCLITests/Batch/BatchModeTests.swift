import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing

/// `mode: batch` in manifests and `--direct`, through the real binary against the fake's Batch API.
@Suite(.serialized) struct BatchModeTests {
    /// RemoteProject's manifest with its six icons marked `mode: batch` (the logo and the poster's
    /// edit stay direct).
    static let iconsInBatch = RemoteProject.manifest.replacingOccurrences(of: "    prompt: \"icon number",
                                                                          with: "    mode: batch\n    prompt: \"icon number")

    @Test func stepsMarkedBatchGoInBatchesAndTheRestDirectlyWithTheSameFiles() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            let direct = try RemoteProject(), mixed = try RemoteProject()
            defer { direct.remove(); mixed.remove() }
            try direct.write("pipelines/p.yaml", Self.iconsInBatch)
            try mixed.write("pipelines/p.yaml", Self.iconsInBatch)

            // The plan prices the six icons at half and says when they come back.
            let plan = try await mixed.kiln(["plan"], environment: environment)
            #expect(plan.status == 0 && plan.stdout.contains("steps marked `mode: batch`") && plan.stdout.contains("1 wave"), "\(plan.stdout)\(plan.stderr)")
            // The table says how each paid step goes: six icons by batch, the logo and poster direct.
            let via = plan.stdout.split(separator: "\n").filter { $0.contains(" openai ") }
            #expect(plan.stdout.contains(" VIA ") && via.filter { $0.contains(" batch ") }.count == 6
                && via.filter { $0.contains(" direct ") }.count == 2, "\(plan.stdout)")

            // --direct overrides the manifest: everything is asked for now, nothing batched.
            let now = try await direct.kiln(["build", "--direct"], environment: environment)
            #expect(now.status == 0, "\(now.stderr)")
            #expect(await BatchBuildTests.directCalls(server) == RemoteProject.paidSteps)
            #expect(await server.batches.batchCount == 0)
            await server.state.resetRecording()

            // Without --wait: the icons are submitted, the logo and the poster are built directly, exit 0.
            let submitted = try await mixed.kiln(["build"], environment: environment)
            #expect(submitted.status == 0, "\(submitted.stderr)")
            #expect(submitted.stderr.contains("submitted 6 step(s)") && submitted.stderr.contains("run `kiln build` again to collect"), "\(submitted.stderr)")
            #expect(await BatchBuildTests.directCalls(server) == 2, "only the logo and the poster are direct")
            #expect(mixed.exists("outputs/brand/poster.png"))

            // --wait collects; nothing is sent twice; the files and lock equal the direct build's.
            let collected = try await mixed.kiln(["build", "--wait"], environment: environment)
            #expect(collected.status == 0, "\(collected.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.count == 6 && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            #expect(await BatchBuildTests.directCalls(server) == 2)
            #expect(try mixed.images() == direct.images(), "the files differ from a direct build's")
            #expect(try BatchBuildTests.lockSteps(mixed) == BatchBuildTests.lockSteps(direct))
        }
    }

    @Test func modeIsCheckedAndNotPartOfTheCacheKey() async throws {
        let project = try RemoteProject()
        defer { project.remove() }
        let environment = ["OPENAI_API_KEY": "sk-test-kiln-remote-0123456789"]
        let before = try await project.kiln(["plan", "--json"], environment: environment)
        try project.write("pipelines/p.yaml", RemoteProject.manifest.replacingOccurrences(
            of: "defaults: { provider: openai,", with: "defaults: { mode: batch, provider: openai,"))
        let after = try await project.kiln(["plan", "--json"], environment: environment)
        #expect(before.status == 0 && after.status == 0, "\(before.stderr)\(after.stderr)")
        func keys(_ json: String) -> [String] {
            let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
            return (object["steps"] as? [[String: Any]] ?? []).compactMap { $0["cacheKey"] as? String }.sorted()
        }
        #expect(!keys(before.stdout).isEmpty && keys(before.stdout) == keys(after.stdout), "mode changed a cache key")
        #expect(after.stdout.components(separatedBy: #""mode" : "batch""#).count - 1 == RemoteProject.paidSteps, "\(after.stdout.prefix(1500))")

        try project.write("pipelines/p.yaml", Self.iconsInBatch.replacingOccurrences(of: "mode: batch", with: "mode: later"))
        let wrong = try await project.kiln(["validate"], environment: environment)
        #expect(wrong.status != 0 && wrong.stderr.contains("p.yaml:") && wrong.stderr.contains("direct") && wrong.stderr.contains("batch"), "\(wrong.stderr)")

        let both = try await project.kiln(["build", "--batch", "--direct"], environment: environment)
        #expect(both.status != 0 && both.stderr.contains("--batch and --direct"), "\(both.stderr)")
    }

    @Test func batchStatusCollectsWhatFinishedAndTheNextBuildUsesIt() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            let project = try RemoteProject()
            defer { project.remove() }
            #expect(try await project.kiln(["build", "--batch"], environment: environment).status == 0)
            var status = try await project.kiln(["batch", "status"], environment: environment)
            for _ in 0..<100 where !status.stdout.contains("collected: 7 image(s)") {
                try await Task.sleep(for: .milliseconds(100))
                status = try await project.kiln(["batch", "status"], environment: environment)
            }
            #expect(status.status == 0 && status.stdout.contains("collected: 7 image(s), 0 failed"), "\(status.stdout)\(status.stderr)")
            #expect(!project.exists("outputs/brand/logo.png"), "status writes no outputs")

            // The build finds the seven in the cache, sends the poster's edit, and collects it.
            let build = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(build.status == 0, "\(build.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.count == RemoteProject.paidSteps && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            #expect(await server.batches.batchCount == 2)
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
        }
    }
}
