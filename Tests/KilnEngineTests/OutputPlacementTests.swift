import Foundation
import KilnCache
@testable import KilnCore
@testable import KilnEngine
import KilnTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Outputs placed from the cache's blobs: a file of their own by default (a clone where the file
/// system has them, else written), the blob itself with `--link-outputs`.
@Suite struct OutputPlacementTests {
    func inode(_ path: String) throws -> (device: UInt64, inode: UInt64, links: Int, mode: UInt32) {
        let info = try #require(PosixFile.status(path))
        return (UInt64(info.st_dev), UInt64(info.st_ino), Int(info.st_nlink), UInt32(info.st_mode & 0o777))
    }

    func blob(_ f: Fixture, of file: String) throws -> String {
        let data = try Data(contentsOf: f.outputs.appendingPathComponent(file))
        return f.cache.store.path(for: .blob(sha256: Digest.sha256(data)))
    }

    /// Without `--link-outputs`: on a file system with clones the cache keeps blobs and outputs are
    /// clones of them (files of their own); without (ext4, here) an entry holds its images and the
    /// output is written — one file per answer in the cache, no blob that saves nothing.
    @Test func byDefaultAnOutputIsAFileOfItsOwn() async throws {
        let f = try Fixture()
        let steps = [TestSteps.generate("g"), TestSteps.derive("d", from: TestSteps.id("g"))]
        let report = await f.engine(steps).run()
        #expect(report.summary.exitCode == 0)
        let clones = AtomicFile.clones(from: f.cache.tmpPath, to: f.outputs.path)
        for (file, step) in zip(["g.png", "thumbs/d.png"], steps) {
            let output = try inode(f.outputs.appendingPathComponent(file).path)
            #expect(output.mode == 0o644 && output.links == 1)
            let hit = try #require(try f.cache.lookup(step.cacheKey))
            if clones {
                let cached = try inode(try blob(f, of: file))
                #expect(output.inode != cached.inode, "\(file) shares the cache's file")
            } else {
                #expect(hit.blobs == nil && hit.record.version == 3, "blobs were stored that no output is placed from")
            }
        }
        if !clones { #expect(PosixFile.fanOut(f.cache.store.blobsPath).isEmpty) }
    }

    @Test func withLinkOutputsAnOutputIsTheCachesReadOnlyCopyAndAHitLinksItAgain() async throws {
        let f = try Fixture()
        let steps = [TestSteps.generate("g"), TestSteps.derive("d", from: TestSteps.id("g"))]
        #expect(await f.engine(steps, linkOutputs: true).run().summary.exitCode == 0)
        for file in ["g.png", "thumbs/d.png"] {
            let output = try inode(f.outputs.appendingPathComponent(file).path)
            let cached = try inode(try blob(f, of: file))
            #expect(output.inode == cached.inode && output.device == cached.device && output.mode == 0o444)
        }
        // Deleted, then restored from the cache by a hit: linked again, nothing paid.
        try FileManager.default.removeItem(at: f.outputs.appendingPathComponent("g.png"))
        let again = Fixture(existing: f.root)
        #expect(await again.engine([steps[0]], linkOutputs: true).run().summary.cached == 1)
        #expect(await again.recorder.calls.isEmpty)
        let restored = try inode(f.outputs.appendingPathComponent("g.png").path)
        #expect(restored.inode == (try inode(try blob(f, of: "g.png"))).inode)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: f.outputs.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temp files left: \(leftovers)")
    }

    /// The trade-off `--link-outputs` documents: bytes written into a linked output change the cached
    /// answer too. The lookup's digest check sees it, so the next build never takes the changed
    /// bytes for the answer: the step runs again.
    @Test func aLinkedOutputChangedInPlaceIsNeverTakenForTheCachedAnswer() async throws {
        let f = try Fixture()
        let step = TestSteps.generate("g")
        #expect(await f.engine([step], linkOutputs: true).run().summary.exitCode == 0)
        let path = f.outputs.appendingPathComponent("g.png").path
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        chmod(path, 0o644)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(original.count - 8))
        try handle.write(contentsOf: Data(repeating: 0xAB, count: 4))
        try handle.close()
        #expect(try f.cache.lookup(step.cacheKey) == nil, "a changed blob was a hit")
    }
}
