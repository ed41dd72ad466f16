import CKilnVips
import Foundation
import KilnCore
@testable import KilnImaging
import Testing

/// Thousands of small derives in flight at once, as a derive-only build of many images runs them.
///
/// Every distinct scale factor makes libvips compile (and later free) new orc programs for its
/// reducers; freeing orc code memory in one thread while another compiles corrupted the heap
/// (see `kiln_vips_init` in kiln_vips.c). Each result must decode, whole, at its expected size.
@Suite struct ConcurrentDeriveTests {
    static let count = 3_000

    /// Small sources in every input format, a few shapes each.
    static func sources() throws -> [(data: Data, width: Int, height: Int)] {
        var sources: [(Data, Int, Int)] = []
        for (width, height) in [(97, 61), (64, 128), (150, 100)] {
            let pixels = try TestImages.decode(TestImages.coordinates(width, height))
            for format in ImageFormat.allCases {
                sources.append((try pixels.encoded(as: format), width, height))
            }
        }
        return sources
    }

    /// The n-th job: a source and a resize box that differs from its neighbours, so most jobs
    /// scale by a factor no other job in flight uses.
    static func job(_ n: Int, sources: Int) -> (source: Int, operations: DeriveOperations) {
        let fits: [ResizeFit] = [.contain, .cover, .fill]
        let width = 8 + (n * 37) % 113, height = 8 + (n * 53) % 97
        let spec = ResizeSpec(width: width, height: height, fit: fits[n % fits.count], upscale: n % 5 == 0)
        let format = ImageFormat.allCases[(n / 3) % ImageFormat.allCases.count]
        return (n % sources, DeriveOperations(resize: spec, format: format, quality: 70))
    }

    /// More imaging threads than cores, so derives are also preempted mid-call (as on a busy machine).
    static let pool = ImagingWorkPool(threads: 8)

    @Test func thousandsOfConcurrentDerivesAllComeOutWhole() async throws {
        let toolkit = VipsToolkit(pool: Self.pool)
        let sources = try Self.sources()
        let results = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
            for n in 0..<Self.count {
                let (index, operations) = Self.job(n, sources: sources.count)
                let data = sources[index].data
                group.addTask { (n, try await toolkit.derive(data, operations)) }
            }
            var results = [Int: Data]()
            for try await (n, data) in group { results[n] = data }
            return results
        }
        #expect(results.count == Self.count)
        var wrong: [String] = []
        for n in 0..<Self.count {
            let (index, operations) = Self.job(n, sources: sources.count)
            let source = sources[index]
            let expected = operations.outputSize(width: source.width, height: source.height)
            guard let data = results[n], ImageFormat(sniffing: data) == operations.format else {
                wrong.append("job \(n): no \(operations.format) output")
                continue
            }
            let image = try TestImages.decode(data)   // decodes every pixel, not just the header
            if (image.width, image.height) != expected {
                wrong.append("job \(n): \(image.width)x\(image.height), expected \(expected.width)x\(expected.height)")
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count) wrong results, first: \(wrong.prefix(5))")
    }

    /// The crash needs a rare interleaving, so the stress test above seldom catches it; this pins
    /// the cause: libvips must not use orc-compiled code while orc frees code memory unlocked.
    @Test func libvipsRunsWithoutOrcCode() throws {
        try VipsToolkit.initialize()
        #expect(kiln_vips_vector_enabled() == 0)
    }
}
