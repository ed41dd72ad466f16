// Engine scheduling overhead: an in-process provider with a fixed latency and a toolkit that does
// trivial work, so the wall time measures the engine itself (scheduling, cache, output writes and
// verification, manifest). Run in release:
//   swift build -c release --product kiln-bench-engine && .build/release/kiln-bench-engine
// Environment: KILN_BENCH_DIR (where files go; /dev/shm separates the engine from the disk),
// KILN_BENCH_ONLY=independent|chains|chains64|overhead|store, KILN_BENCH_RUNS (runs per case;
// the median is the result, as one run moves with the machine's neighbours), KILN_BENCH_TIMELINE,
// KILN_BENCH_LOCAL (local pool slots), KILN_BENCH_CACHE_IN_USE (the cache's fan-out folders made
// before the build, as in a project that has built before).
import Foundation
import KilnCore
import KilnEngine
import Logging
import KilnCache

let environment = ProcessInfo.processInfo.environment
let benchRoot = environment["KILN_BENCH_DIR"] ?? NSTemporaryDirectory()
let runs = max(1, Int(environment["KILN_BENCH_RUNS"] ?? "") ?? 1)

/// User + system CPU time of the whole process so far (every thread), in seconds.
func cpuSeconds() -> Double {
    #if canImport(Glibc)
    let who = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    let who = RUSAGE_SELF
    #endif
    var usage = rusage()
    getrusage(who, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

struct Run {
    var wall: Double
    var cpuMS: Double
    var succeeded: Bool
}

/// Folders the builds wrote, removed when the bench ends: removing each build's files right after
/// it made the next build on ext4 slower by several times (its inode allocator scans past inodes
/// freed in the last minutes), which measured the benchmark's own cleanup, not the engine.
nonisolated(unsafe) var written = [URL]()

/// One build of `steps` in a fresh folder: its wall time from `run()` to the report, and the
/// process CPU time it took.
func build(_ steps: [PlannedStep], jobs: Int, cached: Bool, latency: Duration) async -> Run {
    let dir = URL(fileURLWithPath: benchRoot).appendingPathComponent("kiln-bench-engine-\(UUID().uuidString)")
    written.append(dir)
    if cached && environment["KILN_BENCH_CACHE_IN_USE"] != nil {
        // A cache folder a project has used before: its fan-out folders exist (a fresh one makes
        // up to 512 during the build).
        for kind in ["objects", "actions"] {
            for i in 0..<256 {
                try? FileManager.default.createDirectory(
                    at: dir.appendingPathComponent("cache/\(kind)/\(String(format: "%02x", i))"), withIntermediateDirectories: true)
            }
        }
        try? FileManager.default.createDirectory(at: dir.appendingPathComponent("cache/tmp"), withIntermediateDirectories: true)
    }
    // Only when asked: its lock and clock calls on every event would be measured too.
    let timeline = environment["KILN_BENCH_TIMELINE"] == nil ? nil : Timeline()
    let engine = BuildEngine(
        plan: Plan(steps: steps), providers: ["bench": SleepyProvider(latency: latency, timeline: timeline)],
        toolkit: TrivialToolkit(), cache: cached ? ResultCache(directory: dir.appendingPathComponent("cache")) : nil,
        options: BuildOptions(outputDirectory: dir.appendingPathComponent("outputs"), jobs: jobs,
                              localJobs: Int(environment["KILN_BENCH_LOCAL"] ?? "") ?? ProcessInfo.processInfo.activeProcessorCount),
        logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }), progress: timeline ?? SilentProgress())
    let cpuBefore = cpuSeconds()
    let start = ContinuousClock.now
    let report = await engine.run()
    let run = Run(wall: seconds(ContinuousClock.now - start), cpuMS: (cpuSeconds() - cpuBefore) * 1000,
                  succeeded: report.summary.exitCode == 0)
    if let timeline {
        print("  timeline: \(timeline.summary); steps done at \(report.summary.elapsedMS) ms, then the output manifest")
    }
    return run
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Runs a case `runs` times and prints the median ratio to `ideal` (with the range), or, for
/// `ideal` 0 (no latency), the engine's own time per step.
func measure(_ name: String, steps: [PlannedStep], jobs: Int, ideal: Double, target: Double, cached: Bool,
             latency: Duration = .milliseconds(200), alone: Double? = nil) async {
    var results = [Run]()
    for _ in 0..<runs { results.append(await build(steps, jobs: jobs, cached: cached, latency: latency)) }
    let walls = results.map(\.wall), cpu = median(results.map(\.cpuMS))
    let failed = results.allSatisfy(\.succeeded) ? "" : " — BUILD FAILED"
    let head = String(format: "[%@] %@: %d steps, jobs %d, cache %@", benchRoot, name, steps.count, jobs, cached ? "on" : "off")
    if ideal == 0 {
        print(head + String(format: ", no provider latency: wall %.1f ms, %.1f µs per step, cpu %.0f ms%@",
                            median(walls) * 1000, median(walls) * 1e6 / Double(steps.count), cpu, failed))
        return
    }
    let ratio = median(walls) / ideal
    let range = runs > 1 ? String(format: " (%d runs: median; range %.3f–%.3f)", runs, walls.min()! / ideal, walls.max()! / ideal) : ""
    let versusAlone = alone.map { String(format: "; %.3f of one chain built alone (%.3f s)", median(walls) / $0, $0) } ?? ""
    print(head + String(format: ": wall %.3f s, ideal %.3f s, ratio %.3f%@ (target ≤ %.2f) %@, cpu %.0f ms%@%@",
                        median(walls), ideal, ratio, range, target, ratio <= target ? "ok" : "OVER TARGET", cpu,
                        versusAlone, failed))
}

let latency = 0.2
let only = environment["KILN_BENCH_ONLY"]
defer { for dir in written { try? FileManager.default.removeItem(at: dir) } }
// (a) 1,000 independent images at 64 in flight: ideal = ceil(1000 / 64) rounds of 200 ms.
if only == nil || only == "independent" {
    let independent = (0..<1000).map(generate)
    await measure("independent", steps: independent, jobs: 64, ideal: (1000.0 / 64).rounded(.up) * latency, target: 1.05, cached: false)
    await measure("independent", steps: independent, jobs: 64, ideal: (1000.0 / 64).rounded(.up) * latency, target: 1.05, cached: true)
}
// (b) 300 chains generate → edit → derive with every chain in flight: ideal = the two provider
// latencies on the path (2 × 200 ms). For reference, also against one chain built alone by the
// same engine (the path with its own derive, writes and manifest).
let chains = (0..<300).flatMap(chain)
if only == nil || only == "chains" {
    for cached in [false, true] {
        var alone = [Double]()
        for _ in 0..<runs { alone.append(await build(chain(0), jobs: 300, cached: cached, latency: .milliseconds(200)).wall) }
        await measure("chains", steps: chains, jobs: 300, ideal: 2 * latency, target: 1.10, cached: cached, alone: median(alone))
    }
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
    print(String(format: "[%@] store: 900 answers one after another: %.1f µs each, cpu %.0f ms", benchRoot,
                 seconds(ContinuousClock.now - start) * 1e6 / 900, (cpuSeconds() - cpuBefore) * 1000))
}
