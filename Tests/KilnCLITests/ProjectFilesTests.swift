import Foundation
import KilnCore
@testable import KilnCLI
@testable import KilnEngine
import Testing
@testable import KilnLock

/// A build records itself in kiln.lock on top of the lock as it is when the build ends, so a lock
/// another build wrote in the meantime keeps that build's entries.
@Test func aLockWrittenMeanwhileByAnotherBuildKeepsItsEntries() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-project-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    let project = try ProjectFiles(workspace: Workspace(root: root, environment: [:]), outputDirectory: "outputs",
                                   cacheDirectory: nil)
    #expect(project.lock == nil)

    // Another build, of other targets, finishes first.
    let theirs = StepID(pipeline: "p", asset: "other", variant: nil, step: "main")
    let theirEntry = LockFile.Step(cacheKey: String(repeating: "cd", count: 32), kind: .generate, provider: "placeholder",
                                   outputs: [.init(path: "other.png", sha256: String(repeating: "1", count: 64))])
    try LockFile(steps: [theirs: theirEntry]).write(to: project.lockURL)

    // This build (of its own target) ends and records its one step.
    let ours = PlannedStep(id: StepID(pipeline: "p", asset: "mine", variant: nil, step: "main"), kind: .generate,
                           provider: "placeholder", model: "gpt-image-1.5", prompt: "a fox",
                           parameters: ImageParameters(), cacheKey: String(repeating: "ab", count: 32))
    let summary = BuildSummary(totalSteps: 1, built: 1, cached: 0, failed: 0, skipped: 0, files: 1, bytes: 1, costUSD: 0,
                               usage: nil, elapsedMS: 1, stopReason: nil, failures: [], notRun: [], manifestPath: nil,
                               manifestError: nil)
    let report = BuildReport(summary: summary, manifestFile: nil, outcome: BuildScheduler(steps: [], limits: [:]).snapshot(),
                             upToDate: [], produced: [ours.id: ["mine.png": String(repeating: "2", count: 64)]])
    try project.save(after: report, plan: Plan(steps: [ours]), partial: true, writeLock: true)

    let lock = try #require(try LockFile.read(from: project.lockURL))
    #expect(lock.steps[theirs] == theirEntry, "the other build's entry was lost")
    #expect(lock.steps[ours.id]?.outputs == [.init(path: "mine.png", sha256: String(repeating: "2", count: 64))])
}
