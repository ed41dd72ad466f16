import Foundation
import KilnCore
import KilnEngine
import Logging
@testable import KilnCache
@testable import KilnLock

/// Builds small plans and runs them in a fresh temp directory.
struct Fixture {
    let root: URL
    let recorder = Recorder()

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    var outputs: URL { root.appendingPathComponent("outputs") }
    var cache: ResultCache { ResultCache(directory: root.appendingPathComponent(".kiln/cache")) }

    func engine(_ steps: [PlannedStep], provider: ScriptedProvider? = nil, providers extra: [ScriptedProvider] = [],
                settings: [String: ProviderSettings] = [:], jobs: Int = 8, localJobs: Int = 2,
                keepGoing: Bool = false, cached: Bool = true, recordDurations: Bool = true,
                keepEarlierFiles: Bool = false, progress: any BuildProgressSink = SilentProgress(),
                upToDate: UpToDateCheck? = nil, maxCostUSD: Double? = nil, linkOutputs: Bool = false) -> BuildEngine {
        var providers = [String: any ImageProvider]()
        for p in [provider ?? ScriptedProvider(name: "scripted", recorder: recorder)] + extra { providers[p.name] = p }
        let options = BuildOptions(outputDirectory: outputs, jobs: jobs, localJobs: localJobs, keepGoing: keepGoing,
                                   recordDurations: recordDurations, keepEarlierFiles: keepEarlierFiles,
                                   maxCostUSD: maxCostUSD, linkOutputs: linkOutputs)
        return BuildEngine(plan: Plan(steps: steps, providers: settings), providers: providers,
                           toolkit: FakeToolkit(recorder: recorder), cache: cached ? cache : nil, options: options,
                           logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), progress: progress,
                           upToDate: upToDate)
    }

    /// What a build left, as the next build sees it: each produced step's key and output digests,
    /// and the digests of the files now on disk (as `kiln build` gets them from kiln.lock and the
    /// stat cache).
    func baseline(after report: BuildReport, plan steps: [PlannedStep]) -> BuildBaseline {
        var records = [StepID: BuildBaseline.Record]()
        for step in steps {
            if let outputs = report.produced[step.id] {
                records[step.id] = .init(cacheKey: step.cacheKey, outputs: outputs)
            }
        }
        let root = outputs
        return BuildBaseline(records: records) { path in
            (try? Data(contentsOf: root.appendingPathComponent(path))).map(Digest.sha256)
        }
    }

    /// Every file under `outputs/`, relative, sorted.
    func outputFiles() -> [String] {
        let base = outputs.standardizedFileURL.path
        let items = FileManager.default.enumerator(atPath: base)?.allObjects as? [String] ?? []
        return items.filter { item in
            var dir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + "/" + item, isDirectory: &dir)
            return !dir.boolValue
        }.sorted()
    }
}
