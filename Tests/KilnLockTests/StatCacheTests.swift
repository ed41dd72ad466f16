import Foundation
import KilnCore
@testable import KilnLock
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct BuildStateTests {
    private func withDirectory(_ body: (URL) throws -> Void) throws {
        let dir = try LockSamples.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try body(dir)
    }

    /// Sets a file's modification time to `stamp`'s, to the nanosecond.
    private func restoreMtime(_ path: String, to stamp: FileStamp) throws {
        let seconds = stamp.mtimeNanoseconds / 1_000_000_000, nanos = stamp.mtimeNanoseconds % 1_000_000_000
        var times = [timespec(tv_sec: Int(seconds), tv_nsec: Int(nanos)),
                     timespec(tv_sec: Int(seconds), tv_nsec: Int(nanos))]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test func stampReadsSizeMtimeAndInode() throws {
        try withDirectory { dir in
            let path = dir.appendingPathComponent("a.bin").path
            #expect(FileStamp.of(path) == nil)
            #expect(FileStamp.of(dir.path) == nil)  // not a regular file
            try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
            let stamp = try #require(FileStamp.of(path))
            #expect(stamp.size == 5 && stamp.inode != 0 && stamp.mtimeNanoseconds > 1_700_000_000_000_000_000)
        }
    }

    /// The accepted make-like trade-off: same size, same inode, mtime put back → the stored (now
    /// stale) digest is returned without reading the file. This proves the file is not re-read.
    @Test func matchingStampReturnsStoredDigestWithoutReading() throws {
        try withDirectory { dir in
            let path = dir.appendingPathComponent("a.png").path
            let url = URL(fileURLWithPath: path)
            try Data("first".utf8).write(to: url)
            let state = StatCache()
            let first = try state.digest(ofFile: path)
            #expect(first == Digest.sha256(Data("first".utf8)))
            let stamp = try #require(FileStamp.of(path))
            // Same size, written in place (same inode), mtime restored.
            let handle = try FileHandle(forWritingTo: url)
            try handle.write(contentsOf: Data("other".utf8))
            try handle.close()
            try restoreMtime(path, to: stamp)
            #expect(FileStamp.of(path) == stamp)
            #expect(try state.digest(ofFile: path) == first)
            // A fresh state (nothing stored) sees the real content.
            #expect(try StatCache().digest(ofFile: path) == Digest.sha256(Data("other".utf8)))
        }
    }

    @Test func changedSizeOrMtimeRehashes() throws {
        try withDirectory { dir in
            let path = dir.appendingPathComponent("a.png").path
            let url = URL(fileURLWithPath: path)
            try Data("first".utf8).write(to: url)
            let state = StatCache()
            _ = try state.digest(ofFile: path)
            let stamp = try #require(FileStamp.of(path))
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("!".utf8))
            try handle.close()
            try restoreMtime(path, to: stamp)
            #expect(try state.digest(ofFile: path) == Digest.sha256(Data("first!".utf8)))
            #expect(state.entry(forFile: path)?.stamp.size == 6)
            // Same size, new mtime: rehashed too.
            try Data("secon!".utf8).write(to: url)
            try restoreMtime(path, to: FileStamp(size: 6, mtimeNanoseconds: stamp.mtimeNanoseconds + 1_000, inode: 0))
            #expect(try state.digest(ofFile: path) == Digest.sha256(Data("secon!".utf8)))
        }
    }

    @Test func missingFileThrows() throws {
        try withDirectory { dir in
            #expect(throws: (any Error).self) { try StatCache().digest(ofFile: dir.appendingPathComponent("none").path) }
        }
    }

    @Test func writesAndLoadsFilesAndStepKeys() throws {
        try withDirectory { dir in
            let file = dir.appendingPathComponent("out put.webp").path
            try Data("image".utf8).write(to: URL(fileURLWithPath: file))
            let state = StatCache()
            #expect(!state.hasChanges)
            state.record(path: file, sha256: String(repeating: "c", count: 64))
            state.setCacheKey("key-1", forStep: LockSamples.editID)
            #expect(state.hasChanges)
            let url = StatCache.defaultURL(in: dir)
            #expect(url.path.hasSuffix("/.kiln/state"))
            try state.write(to: url)
            #expect(!state.hasChanges)
            #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["state"])
            let loaded = StatCache.load(from: url)
            #expect(loaded.entry(forFile: file) == state.entry(forFile: file))
            #expect(loaded.cacheKey(forStep: LockSamples.editID) == "key-1")
            #expect(try loaded.digest(ofFile: file) == String(repeating: "c", count: 64))
            #expect(!loaded.hasChanges)
            loaded.setCacheKey("key-1", forStep: LockSamples.editID)
            #expect(!loaded.hasChanges)  // same value: nothing to write
        }
    }

    @Test(arguments: [
        "",
        "kiln-state 2\nf \(String(repeating: "a", count: 64)) 1 2 3 x\n",
        "kiln-state 1\nf \(String(repeating: "a", count: 64)) 1 2 3 x\nf short 1 2 3 y\n",
        "kiln-state 1\nf \(String(repeating: "a", count: 64)) 1 two 3 x\n",
        "kiln-state 1\nf \(String(repeating: "a", count: 64)) 1 2 3 x",
        "kiln-state 1\ns key not-a-step-id\n",
        "\u{0}\u{1}garbage",
    ])
    func corruptStateIsEmpty(text: String) throws {
        try withDirectory { dir in
            let url = StatCache.defaultURL(in: dir)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            let state = StatCache.load(from: url)
            #expect(state.counts.files == 0 && state.counts.steps == 0)
        }
        // The same lines with a valid header and ending do load.
        let good = StatCache.decode(Data("kiln-state 1\nf \(String(repeating: "a", count: 64)) 1 2 3 x y\ns k p/a/gen\n".utf8))
        #expect(good.entry(forFile: "x y")?.stamp == FileStamp(size: 1, mtimeNanoseconds: 2, inode: 3))
        #expect(good.cacheKey(forStep: LockSamples.genID) == "k")
    }
}

@Suite struct BuildStateInputFileTests {
    /// The example logo, a 512² RGBA PNG.
    static let logo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pipelines/inputs/logo.png")

    @Test func checkedFactsAreKeptWithTheStampAndReadAgainWhenTheFileChanges() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-facts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("in.png").path
        try FileManager.default.copyItem(atPath: Self.logo.path, toPath: path)
        let state = StatCache()
        let first = try state.inputFile(path).get()
        #expect((first.facts.format, first.facts.width, first.facts.height, first.facts.hasAlpha) == (.png, 512, 512, true))
        #expect(first.digest == Digest.sha256(try Data(contentsOf: URL(fileURLWithPath: path))))
        // Saved and loaded: the facts come back with the entry, so an unchanged file is not read.
        let reloaded = StatCache.decode(state.encoded())
        #expect(reloaded.entry(forFile: path)?.facts == first.facts)
        // A stored fact that no longer matches the bytes would be served as long as the stamp holds…
        // so a changed file (new size and mtime) must be read and checked again.
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: path))
        guard case let .failure(problem) = reloaded.inputFile(path) else { Issue.record("a changed file was not re-read"); return }
        #expect(problem.message.contains("is text"))
    }
}
