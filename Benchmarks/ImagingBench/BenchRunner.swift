import Foundation
import KilnCore
import KilnImaging

/// Runs `count` derives with at most `concurrency` in flight (a bounded task group) and returns
/// the wall time in seconds.
enum BenchRunner {
    static func run(_ toolkit: VipsToolkit, _ source: Data, _ operations: DeriveOperations,
                    count: Int, concurrency: Int) async throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Int.self) { group in
            var started = 0
            while started < min(concurrency, count) {
                group.addTask { try await toolkit.derive(source, operations).count }
                started += 1
            }
            while let bytes = try await group.next() {
                precondition(bytes > 0)
                if started < count {
                    group.addTask { try await toolkit.derive(source, operations).count }
                    started += 1
                }
            }
        }
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Command-line options, with defaults for a quick run.
struct BenchOptions {
    var iterations = 200
    var concurrency = [1, 2, 4, 8]
    var vipsThreads: Int?
    var poolThreads: Int?
    var sourcePath = "/tmp/kiln-bench-source.png"

    init(_ arguments: ArraySlice<String>) {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch flag {
            case "--iterations": iterations = Int(value) ?? iterations
            case "--concurrency": concurrency = value.split(separator: ",").compactMap { Int($0) }
            case "--vips-threads": vipsThreads = Int(value)
            case "--pool": poolThreads = Int(value)
            case "--source": sourcePath = value
            default: break
            }
        }
    }
}
