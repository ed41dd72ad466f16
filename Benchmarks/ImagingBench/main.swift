// Derive throughput: 1024² PNG → 256 px WebP thumbnails per second through VipsToolkit.derive,
// at several concurrency levels. Usage (release build):
//   kiln-bench-imaging [--iterations N] [--concurrency 1,2,4,8] [--vips-threads T] [--pool P] [--source PATH]
// (--pool P: imaging threads; default one per core, as in Kiln)
// The source PNG is written to PATH (default /tmp/kiln-bench-source.png) so peer_pyvips.py reads
// the very same bytes.
import Foundation
import KilnCore
import KilnImaging

let options = BenchOptions(CommandLine.arguments.dropFirst())
let source = try BenchSource.make(size: 1024)
try source.write(to: URL(fileURLWithPath: options.sourcePath))
if let threads = options.vipsThreads { try VipsToolkit.setOperationConcurrency(threads) }

let toolkit = options.poolThreads.map { VipsToolkit(pool: ImagingWorkPool(threads: $0)) } ?? VipsToolkit()
let operations = DeriveOperations(resize: ResizeSpec(width: 256, height: 256, fit: .contain), format: .webp, quality: 80)
let sample = try await toolkit.derive(source, operations)
print("source \(options.sourcePath): \(source.count) bytes; output \(sample.count) bytes webp 256x256")
print("cores \(ProcessInfo.processInfo.activeProcessorCount), imaging pool \(toolkit.pool.width) threads, "
    + "libvips threads per operation \(options.vipsThreads.map(String.init) ?? "default")")

for concurrency in options.concurrency {
    _ = try await BenchRunner.run(toolkit, source, operations, count: max(4, concurrency * 2), concurrency: concurrency)
    let seconds = try await BenchRunner.run(toolkit, source, operations, count: options.iterations, concurrency: concurrency)
    let perSecond = Double(options.iterations) / seconds
    print(String(format: "kiln  concurrency %2d: %4d images in %6.2f s = %6.1f images/s (%5.1f ms each)",
                 concurrency, options.iterations, seconds, perSecond, 1000 / perSecond))
}
