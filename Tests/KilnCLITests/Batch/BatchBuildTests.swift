import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing

/// `kiln build --batch` through the real binary against the fake's Batch API (compressed time):
/// the same files and lock as a direct build, every step submitted once, the edit of a generated
/// image in the next wave, and a direct build never paying for a step that is in a batch.
@Suite(.serialized) struct BatchBuildTests {
    @Test func aBatchBuildEqualsADirectBuildAndSubmitsEveryStepOnce() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            let direct = try RemoteProject(), batched = try RemoteProject()
            defer { direct.remove(); batched.remove() }
            #expect(try await direct.kiln(["build"], environment: environment).status == 0)
            await server.state.resetRecording()

            let run = try await batched.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(await Self.directCalls(server) == 0, "a step was paid for directly: \(run.stderr)")
            // Three rounds (send, collect and send the poster, collect): between them the wait polls
            // quietly instead of printing a build summary each time.
            let summaries = run.stderr.components(separatedBy: "build succeeded").count - 1
            #expect(summaries == 3 && run.stderr.contains("batch: waiting for"), "\(summaries) summaries: \(run.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.count == RemoteProject.paidSteps, "\(counts)")
            #expect(counts.values.allSatisfy { $0 == 1 }, "a line was submitted twice: \(counts)")
            // The poster edits the logo: it went in a second batch, after the logo's came back.
            #expect(await server.batches.batchCount == 2)
            #expect(try batched.images() == direct.images(), "a batch build's files differ from a direct build's")
            #expect(try Self.lockSteps(batched) == Self.lockSteps(direct))
            let manifest = String(decoding: try batched.read("outputs/manifest.json"), as: UTF8.self)
            #expect(manifest.contains(#""via""#) && manifest.contains(#""batch""#) && manifest.contains("batch_id"), "\(manifest.prefix(2000))")

            // Everything is in the cache now: the next batch build sends nothing.
            let again = try await batched.kiln(["build", "--batch"], environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(await server.batches.batchCount == 2)
        }
    }

    @Test func withoutWaitItSubmitsAndExitsAndADirectBuildDoesNotPayForWhatIsInABatch() async throws {
        // A line a second: the batch is still running while the direct build looks.
        try await RemoteProject.withFakeOpenAI(batch: FakeBatchConfiguration(linesPerSecond: 1)) { server, environment in
            let project = try RemoteProject()
            defer { project.remove() }
            let submitted = try await project.kiln(["build", "--batch"], environment: environment)
            #expect(submitted.status == 0, "\(submitted.stderr)")
            #expect(submitted.stderr.contains("submitted 7 step(s)"), "\(submitted.stderr)")
            #expect(submitted.stderr.contains("run `kiln build --batch` again to collect"), "\(submitted.stderr)")
            #expect(!project.exists("outputs/brand/logo.png"))

            // A direct build now: the steps in the batch (and the poster, which reads one) wait for it,
            // the build says so and how to collect, and none is paid for.
            let direct = try await project.kiln(["build"], environment: environment)
            #expect(direct.status == 0, "\(direct.stderr)")
            #expect(direct.stderr.contains("batch batch_") && direct.stderr.contains("run `kiln build` again to collect"), "\(direct.stderr)")
            #expect(await Self.directCalls(server) == 0, "a step in a batch was paid for again")
            #expect(!project.exists("outputs/brand/logo.png"))

            // Collecting until done: the poster's edit goes in a second batch; nothing twice.
            let collected = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(collected.status == 0, "\(collected.stderr)")
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
            let counts = await server.batches.submissionCounts
            #expect(counts.count == RemoteProject.paidSteps && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            #expect(await Self.directCalls(server) == 0)
        }
    }

    @Test func killedWhilePollingThenRerunCollectsTheSameBatchAndSubmitsNothingTwice() async throws {
        // Two lines a second: the first batch is still running when the build is killed.
        try await RemoteProject.withFakeOpenAI(batch: FakeBatchConfiguration(linesPerSecond: 2)) { server, environment in
            let project = try RemoteProject()
            defer { project.remove() }
            let first = try KilnProcess.start(["build", "--batch", "--wait"], in: project.root, environment: environment)
            let records = project.root.appendingPathComponent(".kiln/batches")
            let deadline = ContinuousClock.now + .seconds(120)
            func recordedBatch() -> Bool {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: records.path)) ?? []
                return names.contains { name in
                    name.hasSuffix(".json") && name != "inputs.json"
                        && ((try? String(contentsOf: records.appendingPathComponent(name), encoding: .utf8))?.contains("\"batchID\"") == true)
                }
            }
            while !recordedBatch(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(recordedBatch(), "no batch was recorded")
            kill(first.processIdentifier, SIGKILL)
            first.waitUntilExit()
            #expect(await server.batches.batchCount == 1)
            #expect(!project.exists("outputs/icons/0.png"), "the first batch had finished before the kill: the test proves nothing")

            let rerun = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.count == RemoteProject.paidSteps && counts.values.allSatisfy { $0 == 1 }, "a line was sent twice: \(counts)")
            #expect(await server.batches.batchCount == 2, "the rerun made a new batch for lines already out")
            #expect(await Self.directCalls(server) == 0)
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
        }
    }

    @Test func anExpiredBatchKeepsWhatRanAndTheRestIsSentAgain() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            // The first batch expires after three of its seven lines.
            await server.batches.enqueue([FakeBatchScript(expireAfterLines: 3)])
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("expired"), "\(run.stderr)")
            let counts = await server.batches.submissionCounts
            // Each of the 8 steps answered once; the four that never ran were sent a second time.
            #expect(counts.count == RemoteProject.paidSteps, "\(counts)")
            #expect(counts.values.filter { $0 == 2 }.count == 4 && counts.values.filter { $0 == 1 }.count == 4, "\(counts)")
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
            #expect(await Self.directCalls(server) == 0)
        }
    }

    @Test func aModerationRefusalInTheErrorFileIsNamedAndNotSentAgain() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            await server.batches.enqueue([FakeBatchScript(moderationLines: [2])])
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(run.status == 1, "\(run.stderr)")
            // One step refused (each round of --wait repeats it while other batches are out).
            let refusals = Set(run.stderr.split(separator: "\n").filter { $0.contains("not sent in a batch again") })
            #expect(refusals.count == 1, "\(run.stderr)")
            // Everything else was built.
            let images = try project.images()
            #expect(images.count >= 12, "\(images.keys.sorted())")
            // Asked again: still refused, and not sent again.
            let again = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(again.status == 1 && again.stderr.contains("not sent in a batch again"), "\(again.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.values.allSatisfy { $0 == 1 }, "the refused line was sent again: \(counts)")
            #expect(await Self.directCalls(server) == 0)
        }
    }

    @Test func statusShowsTheBatchAndCancelKeepsWhatArrived() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            // The first batch answers two lines, then holds until it is cancelled.
            await server.batches.enqueue([FakeBatchScript(pauseAfterLines: 2)])
            let project = try RemoteProject()
            defer { project.remove() }
            #expect(try await project.kiln(["build", "--batch"], environment: environment).status == 0)
            var status = try await project.kiln(["batch", "status"], environment: environment)
            for _ in 0..<100 where !status.stdout.contains("2/7 done") {
                try await Task.sleep(for: .milliseconds(100))
                status = try await project.kiln(["batch", "status"], environment: environment)
            }
            #expect(status.status == 0 && status.stdout.contains("7 step(s)") && status.stdout.contains("2/7 done"), "\(status.stdout)")
            let offline = try await project.kiln(["batch", "status"], environment: [:])
            #expect(offline.stdout.contains("7 step(s)") && offline.stderr.contains("no OPENAI_API_KEY"), "\(offline.stdout)\(offline.stderr)")

            let cancel = try await project.kiln(["batch", "cancel"], environment: environment)
            #expect(cancel.status == 0 && cancel.stdout.contains("cancel"), "\(cancel.stdout)\(cancel.stderr)")
            let finished = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(finished.status == 0, "\(finished.stderr)")
            #expect(finished.stderr.contains("cancelled"), "\(finished.stderr)")
            let counts = await server.batches.submissionCounts
            // The two answered lines were kept; the five the cancel stopped were sent again.
            #expect(counts.values.filter { $0 == 1 }.count == 3 && counts.values.filter { $0 == 2 }.count == 5, "\(counts)")
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
        }
    }

    @Test func planPricesBatchStepsAtHalfAndSaysWhen() async throws {
        let project = try RemoteProject()
        defer { project.remove() }
        let environment = ["OPENAI_API_KEY": "sk-test-kiln-remote-0123456789"]
        let direct = try await project.kiln(["plan"], environment: environment)
        let batch = try await project.kiln(["plan", "--batch"], environment: environment)
        #expect(direct.status == 0 && batch.status == 0, "\(direct.stderr)\(batch.stderr)")
        func total(_ text: String) -> Double? {
            guard let range = text.range(of: #"estimated \$[0-9.]+"#, options: .regularExpression) else { return nil }
            return Double(text[range].dropFirst("estimated $".count))
        }
        let full = try #require(total(direct.stdout)), half = try #require(total(batch.stdout))
        #expect(full > 0 && abs(half - full / 2) <= 0.0001 + full * 0.001, "\(full) vs \(half)")
        // The poster edits the logo: two waves.
        #expect(batch.stdout.contains("2 waves") && batch.stdout.contains("within 48 h"), "\(batch.stdout)")
    }

    /// Synchronous image requests the fake answered (uploads to /v1/files are recorded too).
    static func directCalls(_ server: FakeOpenAIServer) async -> Int {
        await server.state.requests.filter { $0.path.hasSuffix("/images/generations") || $0.path.hasSuffix("/images/edits") }.count
    }

    /// Each step's cache key and output digests from kiln.lock.
    static func lockSteps(_ project: RemoteProject) throws -> [String: String] {
        let lock = try JSONSerialization.jsonObject(with: project.read("kiln.lock")) as? [String: Any] ?? [:]
        let steps = lock["steps"] as? [String: [String: Any]] ?? [:]
        return steps.mapValues { step in
            let outputs = (step["outputs"] as? [[String: Any]] ?? []).map { "\($0["path"] ?? ""):\($0["sha256"] ?? "")" }.sorted()
            return "\(step["cache_key"] ?? "")|" + outputs.joined(separator: ",")
        }
    }
}
