import Foundation
import KilnCore
@testable import KilnEngine
import KilnOutputs
import KilnTestSupport
import Testing

@Suite struct CacheAndOutputTests {
    @Test func aCacheHitSkipsTheProviderAndTheDeriveWork() async throws {
        let f = try Fixture()
        let steps = [TestSteps.generate("g"), TestSteps.derive("d", from: TestSteps.id("g"))]
        let first = await f.engine(steps).run()
        #expect(first.summary.built == 2)
        let firstBytes = try Data(contentsOf: f.outputs.appendingPathComponent("g.png"))

        let again = Fixture.Rerun(root: f.root)
        let second = await again.fixture.engine(steps).run()
        #expect(second.summary.cached == 2 && second.summary.built == 0)
        #expect(await again.fixture.recorder.calls.isEmpty, "a cache hit still called the provider or toolkit")
        #expect(try Data(contentsOf: f.outputs.appendingPathComponent("g.png")) == firstBytes)
        #expect(second.manifest?.files.allSatisfy { $0.fromCache } == true)
        #expect(second.summary.costUSD == 0)
    }

    @Test func aPaidAnswerIsCachedEvenWhenItsOutputFailsVerification() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["g"] = .init(size: (8, 4))
        let step = TestSteps.generate("g")
        let report = await f.engine([step], provider: provider).run()
        let failure = try #require(report.summary.failures.first)
        #expect(failure.step.description == "p/a/g")
        #expect(failure.error.contains("g.png") && failure.error.contains("8x4, expected 8x8"))
        #expect(f.outputFiles() == ["manifest.json"], "the bad file or a temp file was left behind")
        let hit = try #require(try f.cache.lookup(step.cacheKey))
        #expect(hit.record.requestID == "req-g")
        #expect(TestPNG.header(hit.images[0])?.height == 4)
    }

    @Test func aMissingAlphaFailsATransparentStep() async throws {
        let f = try Fixture()
        var provider = ScriptedProvider(name: "scripted", recorder: f.recorder)
        provider.scripts["t"] = .init(dropAlpha: true)
        let report = await f.engine([TestSteps.generate("t", background: .transparent)], provider: provider).run()
        #expect(report.summary.failures.first?.error.contains("no alpha channel") == true)
        #expect(f.outputFiles() == ["manifest.json"])
    }

    @Test func aTransparentStepWithAlphaPasses() async throws {
        let f = try Fixture()
        let report = await f.engine([TestSteps.generate("t", background: .transparent)]).run()
        #expect(report.summary.exitCode == 0)
        #expect(report.manifest?.files.first?.alpha == true)
    }

    @Test func eachOutputTakesTheImageItsIndexNames() async throws {
        let f = try Fixture()
        let report = await f.engine([TestSteps.generate("multi", n: 2)]).run()
        #expect(report.summary.exitCode == 0)
        let files = try #require(report.manifest).files
        #expect(files.map(\.path) == ["multi-0.png", "multi-1.png"])
        #expect(files.map(\.index) == [0, 1])
        for file in files {
            let data = try Data(contentsOf: f.outputs.appendingPathComponent(file.path))
            #expect(Digest.sha256(data) == file.sha256)
        }
        #expect(files[0].sha256 != files[1].sha256)
    }

    @Test func editPreflightRejectsAWrongSizeMaskBeforeAnyCall() async throws {
        let f = try Fixture()
        let maskURL = f.root.appendingPathComponent("mask.png")
        let mask = TestPNG.make(width: 4, height: 4, alpha: true)
        try mask.write(to: maskURL)
        let steps = [TestSteps.generate("base"),
                     TestSteps.edit("e", from: [.step(TestSteps.id("base"))],
                                  mask: .file(path: maskURL.path, digest: Digest.sha256(mask)))]
        let report = await f.engine(steps).run()
        #expect(report.outcome.statusList == [.succeeded, .failed])
        #expect(report.summary.failures.first?.error.contains("mask.png is 4x4") == true)
        #expect(await f.recorder.calls["provider"] == 1, "the edit was sent despite a bad mask")
    }

    @Test func anInputFileChangedSincePlanningFailsTheStep() async throws {
        let f = try Fixture()
        let url = f.root.appendingPathComponent("in.png")
        try TestPNG.make(width: 8, height: 8).write(to: url)
        let step = TestSteps.edit("e", from: [.file(path: url.path, digest: Digest.sha256("something else"))])
        let report = await f.engine([step]).run()
        #expect(report.summary.failures.first?.error.contains("changed since the build was planned") == true)
    }

    @Test func outputPathsCannotLeaveTheOutputDirectory() async throws {
        let f = try Fixture()
        var step = TestSteps.generate("g")
        step.outputs = [StepOutput(path: "../escape.png", owner: step.id)]
        let report = await f.engine([step]).run()
        #expect(report.summary.failures.first?.error.contains("must be relative") == true)
        #expect(!FileManager.default.fileExists(atPath: f.root.appendingPathComponent("escape.png").path))
    }

    @Test func aFailedWriteLeavesNoTempFileAndKeepsThePaidAnswer() async throws {
        let f = try Fixture()
        // A non-empty directory where the file should go makes the rename fail.
        try FileManager.default.createDirectory(at: f.outputs.appendingPathComponent("g.png/inside"),
                                                withIntermediateDirectories: true)
        let step = TestSteps.generate("g")
        let report = await f.engine([step]).run()
        #expect(report.outcome.statusList == [.failed])
        #expect(report.summary.failures.first?.error.contains("g.png") == true)
        let names = try FileManager.default.contentsOfDirectory(atPath: f.outputs.path).sorted()
        #expect(names == ["g.png", "manifest.json"], "a temp file was left: \(names)")
        #expect(try f.cache.lookup(step.cacheKey) != nil)
    }

    @Test func aCacheEntryIsRewrittenWhenDamaged() throws {
        let f = try Fixture()
        let step = TestSteps.generate("g")
        let png = TestPNG.make(width: 2, height: 2)
        try f.cache.store(key: step.cacheKey, step: step, images: [png], usage: nil, requestID: nil, resolved: [:])
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: f.cache.entryPath(step.cacheKey)))
        #expect(try f.cache.lookup(step.cacheKey) == nil)
        try f.cache.store(key: step.cacheKey, step: step, images: [png], usage: nil, requestID: nil, resolved: [:])
        #expect(try f.cache.lookup(step.cacheKey)?.images == [png])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.cache.directory.appendingPathComponent("tmp").path)
        #expect(leftovers.isEmpty)
    }
}

extension Fixture {
    /// A second fixture over the same directory, with a fresh recorder (a later build).
    struct Rerun {
        let fixture: Fixture
        init(root: URL) { fixture = Fixture(existing: root) }
    }

    init(existing root: URL) {
        self.root = root
    }
}

@Suite struct ManifestCarryOverTests {
    @Test func aTargetedBuildKeepsEarlierFilesThatAreStillThere() async throws {
        let f = try Fixture()
        let a = TestSteps.generate("a"), b = TestSteps.generate("b")
        _ = await f.engine([a, b]).run()
        let second = await f.engine([a], keepEarlierFiles: true).run()
        #expect(second.manifest?.files.map(\.path).sorted() == ["a.png", "b.png"])
        #expect(second.summary.files == 1, "the summary counts this build's files")
        let full = await f.engine([a]).run()
        #expect(full.manifest?.files.map(\.path) == ["a.png"], "a full build lists exactly its plan's files")
        _ = await f.engine([a, b]).run()
        try FileManager.default.removeItem(at: f.outputs.appendingPathComponent("b.png"))
        let third = await f.engine([a], keepEarlierFiles: true).run()
        #expect(third.manifest?.files.map(\.path) == ["a.png"], "a file no longer on disk is dropped")
    }
}

@Suite struct AdoptedAnswerTests {
    /// An answer `kiln adopt` stored is a cache hit like any other, but the manifest says no
    /// provider made it: adopted, no request id or usage, cost 0 with basis none (not the estimate).
    @Test func anAdoptedAnswerIsPlacedMarkedAdoptedAndCostsNothing() async throws {
        let f = try Fixture()
        let steps = [TestSteps.generate("g"), TestSteps.derive("d", from: TestSteps.id("g"))]
        let image = TestPNG.make(width: 8, height: 8, seed: 9)
        try f.cache.store(key: steps[0].cacheKey, step: steps[0], images: [image], usage: nil, requestID: nil,
                          resolved: [:], layout: .inline, adopted: .init(from: ["art/g.png"]))
        let report = await f.engine(steps).run()
        #expect(report.summary.exitCode == 0 && report.summary.cached == 1 && report.summary.costUSD == 0)
        let calls = await f.recorder.calls
        #expect(calls["provider"] == nil && calls["local"] == 1, "the adopted step called its provider, or its derive did not run")
        let files = try #require(report.manifest).files
        let adopted = try #require(files.first { $0.path == "g.png" })
        #expect(adopted.adopted == true && adopted.fromCache && adopted.requestID == nil && adopted.usage == nil)
        #expect(adopted.cost == OutputManifest.Cost(usd: 0, basis: .none))
        #expect(try Data(contentsOf: f.outputs.appendingPathComponent("g.png")) == image)
        #expect(files.first { $0.path == "thumbs/d.png" }?.adopted == nil, "a derive of it is not adopted")
    }
}

@Suite struct AtomicFileTests {
    @Test func aFolderRemovedAfterAWriteIsMadeAgain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("sub/a.png")
        try AtomicFile.write(Data([1, 2, 3]), to: file)
        try FileManager.default.removeItem(at: dir)
        try AtomicFile.write(Data([4, 5]), to: file)
        #expect(try Data(contentsOf: file) == Data([4, 5]))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
        #expect(leftovers == ["a.png"], "no temp file is left")
    }
}
