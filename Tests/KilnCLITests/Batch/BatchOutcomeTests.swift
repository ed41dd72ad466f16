import Foundation
import KilnCore
import KilnFakeOpenAI
import Testing

/// The batch outcomes `BatchBuildTests` does not play, through the binary: a file rejected at
/// validation, a batch with no output at all, and server errors on lines (sent again, at most three
/// times, then left for a direct build).
@Suite(.serialized) struct BatchOutcomeTests {
    @Test func aBatchThatFailsValidationSaysWhyAndItsLinesAreSentAgain() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            await server.batches.enqueue([FakeBatchScript(failValidation: "token_limit_exceeded")])
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("the batch failed validation") && run.stderr.contains("token_limit_exceeded"), "\(run.stderr)")
            // Nothing of the failed batch ran (the fake counts lines past validation); every line went
            // again in a second batch and ran once; the poster's edit in a third.
            let counts = await server.batches.submissionCounts
            #expect(counts.count == RemoteProject.paidSteps && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            #expect(await server.batches.batchCount == 3)
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
            #expect(await BatchBuildTests.directCalls(server) == 0)
        }
    }

    @Test func aBatchWithNoOutputFileNamesEveryLineAndSendsThemAgain() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            await server.batches.enqueue([FakeBatchScript(zeroOutputs: true)])
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            // Each of the seven lines of the first batch is named with the provider's message.
            let named = run.stderr.split(separator: "\n").filter { $0.contains("no image from batch") }
            #expect(Set(named).count == 7, "\(run.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.values.filter { $0 == 2 }.count == 7, "\(counts)")
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
        }
    }

    @Test func aLineThatFailsInThreeBatchesIsLeftForADirectBuild() async throws {
        try await RemoteProject.withFakeOpenAI { server, environment in
            // Line 1 of each of the first three batches is a server error.
            await server.batches.enqueue(Array(repeating: FakeBatchScript(serverErrorLines: [1]), count: 3))
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--batch", "--wait"], environment: environment)
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stderr.contains("3 batches failed it; build it with `kiln build --direct`"), "\(run.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.values.max() == 3, "the failing line was not tried three times, or more: \(counts)")
            #expect(await BatchBuildTests.directCalls(server) == 0)

            // A direct build pays for it (and what reads it) now.
            let direct = try await project.kiln(["build", "--direct"], environment: environment)
            #expect(direct.status == 0, "\(direct.stderr)")
            #expect(await BatchBuildTests.directCalls(server) >= 1)
            #expect(project.exists("outputs/brand/poster.png") && project.exists("outputs/icons/5-16.png"))
        }
    }
}
