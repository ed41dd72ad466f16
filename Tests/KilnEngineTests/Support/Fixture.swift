import Foundation
import KilnCore
import KilnEngine
import Logging

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

    static func id(_ name: String, asset: String = "a") -> StepID {
        StepID(pipeline: "p", asset: asset, variant: nil, step: name)
    }

    static func generate(_ name: String, size: (Int, Int) = (8, 8), provider: String = "scripted",
                         background: BackgroundMode? = nil, n: Int = 1, output: Bool = true,
                         dependencies: [StepID] = []) -> PlannedStep {
        let id = id(name)
        return PlannedStep(
            id: id, kind: .generate, provider: provider, model: "gpt-image-1", prompt: "a \(name)",
            parameters: ImageParameters(size: .fixed(width: size.0, height: size.1), background: background, n: n),
            outputs: output ? (0..<n).map { StepOutput(path: "\(name)\(n > 1 ? "-\($0)" : "").png", owner: id, index: $0) } : [],
            dependencies: dependencies, cacheKey: Digest.sha256("generate \(name) \(size) \(provider) \(n)"),
            estimate: CostEstimate(inputTokens: 10, outputTokens: 100, usd: 0.01))
    }

    static func edit(_ name: String, from inputs: [StepInput], mask: StepInput? = nil, size: (Int, Int) = (8, 8)) -> PlannedStep {
        let id = id(name)
        let deps = (inputs + (mask.map { [$0] } ?? [])).compactMap(\.stepID)
        return PlannedStep(
            id: id, kind: .edit, provider: "scripted", model: "gpt-image-1", prompt: "edit \(name)",
            parameters: ImageParameters(size: .fixed(width: size.0, height: size.1)), inputs: inputs, mask: mask,
            outputs: [StepOutput(path: "edits/\(name).png", owner: id)], dependencies: deps,
            cacheKey: Digest.sha256("edit \(name) \(inputs)"))
    }

    static func derive(_ name: String, from input: StepID, width: Int = 4) -> PlannedStep {
        let id = id(name)
        return PlannedStep(
            id: id, kind: .derive, inputs: [.step(input)],
            derive: DeriveOperations(resize: ResizeSpec(width: width, height: nil), format: .png),
            outputs: [StepOutput(path: "thumbs/\(name).png", owner: id)], dependencies: [input],
            cacheKey: Digest.sha256("derive \(name) \(input) \(width)"))
    }

    func engine(_ steps: [PlannedStep], provider: ScriptedProvider? = nil, providers extra: [ScriptedProvider] = [],
                settings: [String: ProviderSettings] = [:], jobs: Int = 8, localJobs: Int = 2,
                keepGoing: Bool = false, cached: Bool = true, recordDurations: Bool = true,
                keepEarlierFiles: Bool = false, progress: any BuildProgressSink = SilentProgress(),
                upToDate: UpToDateCheck? = nil) -> BuildEngine {
        var providers = [String: any ImageProvider]()
        for p in [provider ?? ScriptedProvider(name: "scripted", recorder: recorder)] + extra { providers[p.name] = p }
        let options = BuildOptions(outputDirectory: outputs, jobs: jobs, localJobs: localJobs, keepGoing: keepGoing,
                                   recordDurations: recordDurations, keepEarlierFiles: keepEarlierFiles)
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
