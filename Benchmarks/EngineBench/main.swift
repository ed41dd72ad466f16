// Engine scheduling overhead: an in-process provider with a fixed latency and a toolkit that does
// trivial work, so the wall time measures the engine itself (scheduling, output writes and
// verification, manifest). Run in release:
//   swift build -c release --product kiln-bench-engine && .build/release/kiln-bench-engine
import Foundation
import KilnCore
import KilnEngine
import Logging

/// Minimal PNG-looking bytes: signature + IHDR, enough for the fake toolkit and format sniffing,
/// then `tag` (a real provider never answers two prompts with the same bytes, so neither does this:
/// every answer is a new cache object to write).
func fakePNG(width: Int, height: Int, tag: some Sequence<UInt8> = []) -> Data {
    func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    let body = be32(width) + be32(height) + [8, 6, 0, 0, 0]
    return Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be32(13) + Array("IHDR".utf8) + body + [0, 0, 0, 0])
        + Data(tag)
}

struct SleepyProvider: ImageProvider {
    let name = "bench"
    let latency: Duration
    var timeline: Timeline?

    func run(_ request: ImageRequest) async throws -> ProviderResponse {
        timeline?.mark("\(request.kind.rawValue) call")
        defer { timeline?.mark("\(request.kind.rawValue) answer") }
        try await Task.sleep(for: latency)
        return ProviderResponse(images: [fakePNG(width: 64, height: 64, tag: request.prompt.utf8)], usage: Usage(inputTokens: 10, outputTokens: 100), requestID: "bench")
    }
}

struct TrivialToolkit: ImageToolkit {
    struct NotPNG: Error {}

    func inspect(_ data: Data) async throws -> ImageInfo {
        let b = [UInt8](data.prefix(24))
        guard b.count == 24 else { throw NotPNG() }
        func int(_ i: Int) -> Int { b[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return ImageInfo(format: .png, width: int(16), height: int(20), bands: 4, hasAlpha: true)
    }

    func derive(_ data: Data, _ operations: DeriveOperations) async throws -> Data {
        let info = try await inspect(data)
        let size = operations.outputSize(width: info.width, height: info.height)
        return fakePNG(width: size.width, height: size.height, tag: data.dropFirst(33))
    }

    func preflightEdit(images: [InputImage], mask: InputImage?) async throws {}
}

func id(_ asset: Int, _ step: String) -> StepID { StepID(pipeline: "bench", asset: "a\(asset)", variant: nil, step: step) }

func generate(_ i: Int) -> PlannedStep {
    let sid = id(i, "gen")
    return PlannedStep(id: sid, kind: .generate, provider: "bench", model: "gpt-image-1", prompt: "image \(i)",
                       parameters: ImageParameters(size: .fixed(width: 64, height: 64)),
                       outputs: [StepOutput(path: "gen/\(i).png", owner: sid)], cacheKey: Digest.sha256("g\(i)"))
}

func chain(_ i: Int) -> [PlannedStep] {
    let g = generate(i)
    let e = PlannedStep(id: id(i, "edit"), kind: .edit, provider: "bench", model: "gpt-image-1", prompt: "edit \(i)",
                        parameters: ImageParameters(size: .fixed(width: 64, height: 64)), inputs: [.step(g.id)],
                        outputs: [StepOutput(path: "edit/\(i).png", owner: id(i, "edit"))], dependencies: [g.id],
                        cacheKey: Digest.sha256("e\(i)"))
    let d = PlannedStep(id: id(i, "thumb"), kind: .derive, inputs: [.step(e.id)],
                        derive: DeriveOperations(resize: ResizeSpec(width: 16, height: nil)),
                        outputs: [StepOutput(path: "thumb/\(i).png", owner: id(i, "thumb"))], dependencies: [e.id],
                        cacheKey: Digest.sha256("d\(i)"))
    return [g, e, d]
}

/// Where outputs and the cache go: `KILN_BENCH_DIR`, else /tmp. On a slow virtual disk, compare
/// with `KILN_BENCH_DIR=/dev/shm` to separate the engine's overhead from the disk's.
let benchRoot = ProcessInfo.processInfo.environment["KILN_BENCH_DIR"] ?? NSTemporaryDirectory()

/// When steps of each kind started and finished, relative to the build's start: where the time
/// between the ideal and the wall time goes.
final class Timeline: BuildProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private let start = ContinuousClock.now
    private var marks: [String: (first: Double, last: Double)] = [:]

    func handle(_ event: BuildEvent) {
        guard let step = event.step?.step else { return }
        let kind = step.hasPrefix("thumb") ? "derive" : step.hasPrefix("edit") ? "edit" : "generate"
        mark("\(kind) \(event.event == .started ? "started" : "finished")")
    }

    /// Records that `name` happened now (first and last time are kept).
    func mark(_ name: String) {
        let d = ContinuousClock.now - start
        let t = (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000
        lock.withLock {
            let old = marks[name] ?? (t, t)
            marks[name] = (min(old.first, t), max(old.last, t))
        }
    }

    var summary: String {
        lock.withLock {
            marks.sorted { $0.value.first < $1.value.first }
                .map { String(format: "%@ %.0f–%.0f ms", $0.key, $0.value.first, $0.value.last) }
                .joined(separator: "; ")
        }
    }
}

/// User + system CPU time of the whole process so far (every thread), in seconds.
func cpuSeconds() -> Double {
    #if canImport(Glibc)
    let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    let RUSAGE_SELF_WHO = RUSAGE_SELF
    #endif
    var usage = rusage()
    getrusage(RUSAGE_SELF_WHO, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// `latency` 0 with `ideal` 0 measures the engine's own cost per step (nothing to wait for).
func measure(_ name: String, steps: [PlannedStep], jobs: Int, ideal: Double, target: Double, cached: Bool,
             latency: Duration = .milliseconds(200)) async {
    let dir = URL(fileURLWithPath: benchRoot).appendingPathComponent("kiln-bench-engine-\(UUID().uuidString)")
    // Only when asked: its lock and clock calls on every event would be measured too.
    let timeline = ProcessInfo.processInfo.environment["KILN_BENCH_TIMELINE"] == nil ? nil : Timeline()
    defer { try? FileManager.default.removeItem(at: dir) }
    let engine = BuildEngine(
        plan: Plan(steps: steps), providers: ["bench": SleepyProvider(latency: latency, timeline: timeline)],
        toolkit: TrivialToolkit(), cache: cached ? ResultCache(directory: dir.appendingPathComponent("cache")) : nil,
        options: BuildOptions(outputDirectory: dir.appendingPathComponent("outputs"), jobs: jobs,
                             localJobs: Int(ProcessInfo.processInfo.environment["KILN_BENCH_LOCAL"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount),
        logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }), progress: timeline ?? SilentProgress())
    let clock = ContinuousClock()
    let cpuBefore = cpuSeconds()
    let start = clock.now
    let report = await engine.run()
    let wall = clock.now - start
    let cpu = (cpuSeconds() - cpuBefore) * 1000
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    if ideal == 0 {
        print(String(format: "[%@] %@: %d steps, jobs %d, cache %@, no provider latency: wall %.1f ms, %.1f µs per step, cpu %.0f ms%@",
                     benchRoot, name, steps.count, jobs, cached ? "on" : "off", seconds * 1000,
                     seconds * 1e6 / Double(steps.count), cpu, report.summary.exitCode == 0 ? "" : " — BUILD FAILED"))
        return
    }
    let ratio = seconds / ideal
    let verdict = ratio <= target ? "ok" : "OVER TARGET"
    print(String(format: "[%@] %@: %d steps, jobs %d, cache %@: wall %.3f s, ideal %.3f s, ratio %.3f (target ≤ %.2f) %@, cpu %.0f ms%@",
                 benchRoot, name, steps.count, jobs, cached ? "on" : "off", seconds, ideal, ratio, target, verdict, cpu,
                 report.summary.exitCode == 0 ? "" : " — BUILD FAILED"))
    if let timeline {
        let written = report.manifest
        let encodeStart = ContinuousClock.now
        _ = try? written?.encoded()
        let encode = ContinuousClock.now - encodeStart
        print("  timeline: \(timeline.summary); steps done at \(report.summary.elapsedMS) ms, then the output manifest"
              + " (encoding it alone: \(encode.components.attoseconds / 1_000_000_000_000_000) ms)")
    }
}

let latency = 0.2
/// `KILN_BENCH_ONLY=independent|chains|chains64|overhead` runs one group (for profiling).
let only = ProcessInfo.processInfo.environment["KILN_BENCH_ONLY"]
// (a) 1,000 independent images at 64 in flight: ideal = ceil(1000 / 64) rounds of 200 ms.
if only == nil || only == "independent" {
    let independent = (0..<1000).map(generate)
    await measure("independent", steps: independent, jobs: 64, ideal: (1000.0 / 64).rounded(.up) * latency, target: 1.05, cached: false)
    await measure("independent", steps: independent, jobs: 64, ideal: (1000.0 / 64).rounded(.up) * latency, target: 1.05, cached: true)
}
// (b) 300 chains generate → edit → derive with every chain in flight: critical path = 2 × 200 ms
// (derive work is trivial here).
let chains = (0..<300).flatMap(chain)
if only == nil || only == "chains" {
    await measure("chains", steps: chains, jobs: 300, ideal: 2 * latency, target: 1.10, cached: false)
    await measure("chains", steps: chains, jobs: 300, ideal: 2 * latency, target: 1.10, cached: true)
}
// The same chains at 64 in flight: 600 provider calls need at least ceil(600 / 64) rounds.
if only == nil || only == "chains64" {
    await measure("chains", steps: chains, jobs: 64, ideal: (600.0 / 64).rounded(.up) * latency, target: 1.10, cached: false)
}
// The chains again with answers arriving at once: the wall time is the engine's own work per step
// (scheduling, checks, cache, output writes, manifest) on this machine's cores. Not a target; the
// number to profile when the ratios above drift.
if only == nil || only == "overhead" {
    await measure("chains", steps: chains, jobs: 300, ideal: 0, target: 0, cached: false, latency: .zero)
    await measure("chains", steps: chains, jobs: 300, ideal: 0, target: 0, cached: true, latency: .zero)
}
// One thread storing answers into a fresh cache, one after another: what a store costs on its own
// (two files through tmp/ and rename, the record's JSON), without the build around it.
if only == "store" {
    let dir = URL(fileURLWithPath: benchRoot).appendingPathComponent("kiln-bench-store-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let cache = ResultCache(directory: dir)
    let steps = (0..<900).map(generate)
    let images = (0..<900).map { fakePNG(width: 64, height: 64, tag: "image \($0)".utf8) }
    let cpuBefore = cpuSeconds()
    let start = ContinuousClock.now
    for (step, image) in zip(steps, images) {
        try cache.store(key: step.cacheKey, step: step, images: [image], usage: Usage(inputTokens: 10, outputTokens: 100),
                        requestID: "bench", resolved: [:])
    }
    let wall = ContinuousClock.now - start
    let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    print(String(format: "[%@] store: 900 answers one after another: %.1f µs each, cpu %.0f ms", benchRoot,
                 seconds * 1e6 / 900, (cpuSeconds() - cpuBefore) * 1000))
}
