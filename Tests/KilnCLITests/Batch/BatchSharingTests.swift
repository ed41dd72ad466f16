import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing

/// Batches shared between machines through the remote cache (a folder here; nginx in
/// `RemoteCacheNginxTests`), through the real binary against the fake's Batch API: a step in one
/// machine's batch is never paid for by another, forged or foreign holds hold nothing, a collected
/// batch is not downloaded again, and a build without a key is not stopped by batches out.
@Suite(.serialized) struct BatchSharingTests {
    @Test func aBatchSentFromOneMachineIsNeverPaidForAgainOnAnotherAndIsCollectedThere() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        // A line a second: the batch is still out when the second machine looks.
        try await RemoteProject.withFakeOpenAI(batch: FakeBatchConfiguration(linesPerSecond: 1)) { server, environment in
            let a = try RemoteProject(), b = try RemoteProject()
            defer { a.remove(); b.remove() }
            let sent = try await a.kiln(["build", "--batch", "--remote-cache", remote.url], environment: environment)
            #expect(sent.status == 0 && sent.stderr.contains("submitted 7 step(s)"), "\(sent.stderr)")

            // Another clone builds directly: the seven steps are in A's batch, so none is paid for.
            let direct = try await b.kiln(["build", "--remote-cache", remote.url], environment: environment)
            #expect(direct.status == 0, "\(direct.stderr)")
            #expect(direct.stderr.contains("sent from another machine"), "\(direct.stderr)")
            #expect(await BatchBuildTests.directCalls(server) == 0, "a step in another machine's batch was paid for: \(direct.stderr)")

            // B collects A's batch and sends the poster's edit (the next wave) itself.
            let collected = try await b.kiln(["build", "--batch", "--wait", "--remote-cache", remote.url], environment: environment)
            #expect(collected.status == 0, "\(collected.stderr)")
            #expect(b.exists("outputs/brand/poster.png") && b.exists("outputs/icons/5-16.png"))

            // A collects its own batch and finds the poster in the shared cache: nothing more is sent.
            let finished = try await a.kiln(["build", "--batch", "--wait", "--remote-cache", remote.url], environment: environment)
            #expect(finished.status == 0, "\(finished.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.count == RemoteProject.paidSteps && counts.values.allSatisfy { $0 == 1 }, "a line was sent twice: \(counts)")
            #expect(await server.batches.batchCount == 2)
            #expect(await BatchBuildTests.directCalls(server) == 0)
            #expect(try a.images() == b.images())
        }
    }

    @Test func aForgedHoldInTheRemoteCacheHoldsNothing() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { server, environment in
            let a = try RemoteProject(), b = try RemoteProject()
            defer { a.remove(); b.remove() }
            #expect(try await a.kiln(["build", "--batch", "--remote-cache", remote.url], environment: environment).status == 0)
            // Every record in the shared cache now names a batch OpenAI does not have.
            let folder = remote.folder.path
            for path in (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []) {
                let url = URL(fileURLWithPath: folder + "/" + path)
                guard let text = try? String(contentsOf: url, encoding: .utf8), text.contains("\"inputFileID\"") else { continue }
                try Data(text.replacingOccurrences(of: "\"batch_", with: "\"batch_forged").utf8).write(to: url)
            }
            let run = try await b.kiln(["build", "--remote-cache", remote.url], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("does not show to this key"), "\(run.stderr)")
            #expect(b.exists("outputs/brand/poster.png"), "the forged hold stopped the build")
        }
    }

    @Test func signedHoldsAreTrustedWithTheKeyAndRefusedWithAnother() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI(batch: FakeBatchConfiguration(linesPerSecond: 1)) { server, environment in
            let a = try RemoteProject(), b = try RemoteProject(), c = try RemoteProject()
            defer { a.remove(); b.remove(); c.remove() }
            var team = environment, other = environment
            team["KILN_CACHE_SIGNING_KEY"] = "team-signing-key-0123456789"
            other["KILN_CACHE_SIGNING_KEY"] = "someone-elses-key-0123456789"
            #expect(try await a.kiln(["build", "--batch", "--remote-cache", remote.url], environment: team).status == 0)

            let trusted = try await b.kiln(["build", "--remote-cache", remote.url], environment: team)
            #expect(trusted.status == 0 && trusted.stderr.contains("sent from another machine"), "\(trusted.stderr)")
            #expect(await BatchBuildTests.directCalls(server) == 0)

            // Another key cannot read the holds as the team's: not used, said so, built directly.
            let foreign = try await c.kiln(["build", "--remote-cache", remote.url], environment: other)
            #expect(foreign.stderr.contains("were not used (unsigned, altered or not Kiln's)"), "\(foreign.stderr)")
            #expect(!foreign.stderr.contains("sent from another machine"), "\(foreign.stderr)")
            #expect(await BatchBuildTests.directCalls(server) > 0)
        }
    }

    @Test func aCollectedBatchIsReadFromItsRecordNotDownloadedAgain() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { server, environment in
            // Line 2 refused: its step has no image in the cache after A collects.
            await server.batches.enqueue([FakeBatchScript(moderationLines: [2])])
            let a = try RemoteProject(), b = try RemoteProject()
            defer { a.remove(); b.remove() }
            let first = try await a.kiln(["build", "--batch", "--wait", "--remote-cache", remote.url], environment: environment)
            #expect(first.status == 1 && first.stderr.contains("not sent in a batch again"), "\(first.stderr)")
            #expect(await server.state.requests.contains { $0.path.hasSuffix("/content") }, "A downloaded nothing: the check below proves nothing")
            let batches = await server.batches.batchCount
            await server.state.resetRecording()

            // B finds the refused step's hold; the record says the batch was collected, with the
            // refusal: nothing is downloaded, the step is refused the same way, nothing is sent.
            let second = try await b.kiln(["build", "--batch", "--remote-cache", remote.url], environment: environment)
            #expect(second.status == 1 && second.stderr.contains("not sent in a batch again"), "\(second.stderr)")
            let requests = await server.state.requests.map(\.path)
            #expect(!requests.contains { $0.hasSuffix("/content") }, "a collected batch's file was downloaded again: \(requests)")
            #expect(await server.batches.batchCount == batches)
            #expect(await BatchBuildTests.directCalls(server) == 0)
        }
    }

    @Test func batchesOutDoNotStopABuildWithoutAKey() async throws {
        try await RemoteProject.withFakeOpenAI { _, environment in
            let project = try RemoteProject()
            defer { project.remove() }
            #expect(try await project.kiln(["build", "--batch"], environment: environment).status == 0)
            var offline = environment
            offline["OPENAI_API_KEY"] = nil
            let run = try await project.kiln(["build", "--provider", "placeholder"], environment: offline)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("not collected without OPENAI_API_KEY"), "\(run.stderr)")
        }
    }
}
