import Foundation
import KilnCore
@testable import KilnEngine
import Testing
@testable import KilnLock
import KilnTestSupport

@Suite struct UpToDateTests {
    let gen = TestSteps.generate("g")
    var thumb: PlannedStep { TestSteps.derive("d", from: TestSteps.id("g")) }

    func record(_ step: PlannedStep, _ digests: [String: String]) -> BuildBaseline.Record {
        .init(cacheKey: step.cacheKey, outputs: digests)
    }

    @Test func aStepWithItsKeyAndFilesUnchangedIsUpToDate() {
        let plan = Plan(steps: [gen, thumb])
        let baseline = BuildBaseline(
            records: [gen.id: record(gen, ["g.png": "aa"]), thumb.id: record(thumb, ["thumbs/d.png": "bb"])],
            currentDigest: { ["g.png": "aa", "thumbs/d.png": "bb"][$0] })
        let check = UpToDateCheck(plan: plan, baseline: baseline)
        #expect(check.upToDate == [gen.id, thumb.id])
        #expect(check.damaged.isEmpty && check.forced.isEmpty)
    }

    @Test func aNewKeyADeletedFileAndAnEditedFileEachMakeTheStepRun() {
        var changed = thumb
        changed.cacheKey = Digest.sha256("another key")
        let plan = Plan(steps: [gen, changed, TestSteps.generate("h"), TestSteps.generate("k")])
        let baseline = BuildBaseline(
            records: [gen.id: record(gen, ["g.png": "aa"]), changed.id: record(thumb, ["thumbs/d.png": "bb"]),
                      TestSteps.id("h"): record(TestSteps.generate("h"), ["h.png": "cc"]),
                      TestSteps.id("k"): record(TestSteps.generate("k"), ["k.png": "dd"])],
            currentDigest: { ["g.png": "aa", "thumbs/d.png": "bb", "k.png": "edited"][$0] })
        let check = UpToDateCheck(plan: plan, baseline: baseline)
        #expect(check.upToDate == [gen.id])
        #expect(check.damaged == [TestSteps.id("h"): [.missing("h.png")], TestSteps.id("k"): [.edited("k.png")]])
        #expect(check.damaged[TestSteps.id("k")]?.first?.description == "k.png was changed by hand")
    }

    @Test func forcingAStepRunsItAndEverythingDownstream() {
        let plan = Plan(steps: [gen, thumb, TestSteps.generate("other")])
        let baseline = BuildBaseline(
            records: [gen.id: record(gen, ["g.png": "aa"]), thumb.id: record(thumb, ["thumbs/d.png": "bb"]),
                      TestSteps.id("other"): record(TestSteps.generate("other"), ["other.png": "cc"])],
            currentDigest: { ["g.png": "aa", "thumbs/d.png": "bb", "other.png": "cc"][$0] })
        let check = UpToDateCheck(plan: plan, baseline: baseline, force: [gen.id])
        #expect(check.forced == [gen.id, thumb.id])
        #expect(check.upToDate == [TestSteps.id("other")])
    }

    @Test func anIntermediateStepRunsOnlyWhenAStepThatRunsReadsIt() {
        let hidden = TestSteps.generate("hidden", output: false)
        let reader = TestSteps.derive("d", from: hidden.id)
        let records = [hidden.id: record(hidden, [:]), reader.id: record(reader, ["thumbs/d.png": "bb"])]
        let plan = Plan(steps: [hidden, reader])
        let current = UpToDateCheck(plan: plan, baseline: BuildBaseline(records: records, currentDigest: { _ in "bb" }))
        #expect(current.upToDate == [hidden.id, reader.id], "nothing reads the hidden image: it need not run")
        let deleted = UpToDateCheck(plan: plan, baseline: BuildBaseline(records: records, currentDigest: { _ in nil }))
        #expect(deleted.upToDate.isEmpty, "the derive runs and needs the hidden image, which has no file to read")
    }

    // MARK: through the engine

    @Test func aSecondBuildWithNothingChangedRunsNothingAndWritesNothing() async throws {
        let f = try Fixture()
        let steps = [gen, thumb]
        let first = await f.engine(steps).run()
        #expect(first.summary.built == 2)
        let manifest = f.outputs.appendingPathComponent("manifest.json")
        let before = try FileManager.default.attributesOfItem(atPath: manifest.path)[.modificationDate] as? Date
        let bytes = try Data(contentsOf: manifest)

        let again = Fixture(existing: f.root)
        let events = EventLog()
        let check = UpToDateCheck(plan: Plan(steps: steps), baseline: f.baseline(after: first, plan: steps))
        let second = await again.engine(steps, progress: events, upToDate: check).run()
        #expect(second.summary.upToDate == 2 && second.summary.built == 0 && second.summary.cached == 0)
        #expect(second.summary.exitCode == 0)
        #expect(second.manifest == nil)
        #expect(await again.recorder.calls.isEmpty, "an up-to-date step called the provider or the toolkit")
        #expect(try Data(contentsOf: manifest) == bytes)
        #expect(try FileManager.default.attributesOfItem(atPath: manifest.path)[.modificationDate] as? Date == before)
        #expect(events.events.map(\.event) == [.buildStarted, .summary])
    }

    @Test func aDeletedOutputIsRestoredFromTheCacheWithAWarning() async throws {
        let f = try Fixture()
        let steps = [gen, thumb, TestSteps.generate("other")]
        let first = await f.engine(steps).run()
        let original = try Data(contentsOf: f.outputs.appendingPathComponent("g.png"))
        try FileManager.default.removeItem(at: f.outputs.appendingPathComponent("g.png"))

        let again = Fixture(existing: f.root)
        let events = EventLog()
        let check = UpToDateCheck(plan: Plan(steps: steps), baseline: f.baseline(after: first, plan: steps))
        #expect(check.upToDate == [thumb.id, TestSteps.id("other")])
        let second = await again.engine(steps, progress: events, upToDate: check).run()
        #expect(second.summary.cached == 1 && second.summary.upToDate == 2 && second.summary.exitCode == 0)
        #expect(try Data(contentsOf: f.outputs.appendingPathComponent("g.png")) == original)
        #expect(await again.recorder.calls.isEmpty, "the restore called the provider")
        let warning = try #require(events.events.first { $0.event == .warning })
        #expect(warning.step == gen.id && warning.error == "g.png was deleted; restored it from the cache")
        let manifest = try #require(second.manifest)
        #expect(manifest.files.map(\.path) == ["g.png", "other.png", "thumbs/d.png"],
                "the up-to-date steps' entries were not carried into the new manifest")
        #expect(manifest.totals.upToDate == 2 && manifest.totals.cached == 1)
        #expect(manifest.totals.files == 3 && manifest.totals.bytes == manifest.files.reduce(0) { $0 + $1.bytes })
        // Carried entries are copied as text: the file must still be exactly the canonical encoding.
        var canonical = try CanonicalJSON.encode(manifest, pretty: true)
        canonical.append(0x0A)
        #expect(try Data(contentsOf: f.outputs.appendingPathComponent("manifest.json")) == canonical)
    }

    @Test func aStepThatRunsReadsItsUpToDateUpstreamFromItsFile() async throws {
        let f = try Fixture()
        let steps = [gen, thumb]
        let first = await f.engine(steps).run()
        try FileManager.default.removeItem(at: f.outputs.appendingPathComponent("thumbs/d.png"))
        let again = Fixture(existing: f.root)
        let check = UpToDateCheck(plan: Plan(steps: steps), baseline: f.baseline(after: first, plan: steps))
        #expect(check.upToDate == [gen.id])
        let second = await again.engine(steps, cached: false, upToDate: check).run()
        #expect(second.summary.built == 1 && second.summary.upToDate == 1 && second.summary.exitCode == 0)
        #expect(await again.recorder.calls["provider"] == nil, "the upstream generate ran again")
        #expect(await again.recorder.calls["local"] == 1)
        #expect(FileManager.default.fileExists(atPath: f.outputs.appendingPathComponent("thumbs/d.png").path))
    }
}

@Suite struct RestoreTests {
    @Test func anOutputEditedByHandIsRestoredFromTheCacheAndTheEntryKeepsWhatWasPaid() async throws {
        let f = try Fixture()
        let gen = TestSteps.generate("g")
        let first = await f.engine([gen]).run()
        let original = try Data(contentsOf: f.outputs.appendingPathComponent("g.png"))
        var edited = original
        edited.append(contentsOf: [1, 2, 3])
        try edited.write(to: f.outputs.appendingPathComponent("g.png"))

        let again = Fixture(existing: f.root)
        let events = EventLog()
        let check = UpToDateCheck(plan: Plan(steps: [gen]), baseline: f.baseline(after: first, plan: [gen]))
        #expect(check.damaged[gen.id] == [.edited("g.png")])
        let second = await again.engine([gen], progress: events, upToDate: check).run()
        #expect(second.summary.cached == 1 && second.summary.exitCode == 0)
        #expect(try Data(contentsOf: f.outputs.appendingPathComponent("g.png")) == original)
        #expect(events.events.contains { $0.event == .warning && $0.error == "g.png was changed by hand; restored it from the cache" })
        #expect(await again.recorder.calls.isEmpty, "the restore called the provider")

        let hit = try #require(try f.cache.lookup(gen.cacheKey))
        #expect(hit.record.requestID == "req-g" && hit.record.provider == "scripted")
        #expect(hit.record.costUSD == PriceTable.builtin.cost(model: "gpt-image-1", usage: Usage(inputTokens: 20, outputTokens: 100)))
    }
}
