import Foundation
import KilnCore
import KilnTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `PosixFile.readCached` reads what is in memory and never waits for the disk: all of a file just
/// written, nothing of one dropped from the page cache, the part before the first byte that is not
/// there, and nothing past the end.
@Suite struct CachedReadTests {
    @Test func readsOnlyWhatIsInMemory() throws {
        let folder = TemporaryFolder.make("kiln-cached-read")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("value").path
        let bytes = Data((0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try bytes.write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        #expect(fd >= 0)
        var buffer = [UInt8](repeating: 0, count: 1_200_000)
        func cached(at offset: Int = 0, _ count: Int = 1_000_000) -> Int {
            buffer.withUnsafeMutableBytes { PosixFile.readCached(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<count]), at: offset) }
        }

        #expect(cached() == 1_000_000, "a file just written is in memory")
        #expect(Data(buffer[..<1_000_000]) == bytes)
        #expect(cached(at: 0, 1_200_000) == 1_000_000, "no more than the file holds")
        #expect(cached(at: 1_000_000, 10) == 0, "nothing at the end")

        try #require(PageCache.evict(path), "this test needs a filesystem that drops pages (not tmpfs)")
        #expect(cached() == 0, "a file dropped from memory: nothing, and no wait for the disk")

        // Only the last 400,000 bytes dropped (without looking, which would start reading them back):
        // the read stops at the first page that is not in memory.
        #expect(pread(fd, &buffer, 1_000_000, 0) == 1_000_000)
        #expect(PageCache.evict(path, range: 600_000..<1_000_000, check: false))
        let part = cached()
        #expect(part >= 500_000 && part < 700_000, "read \(part) bytes (the kernel drops whole pages or larger folios)")
        #expect(Data(buffer[..<part]) == bytes.prefix(part))
    }
}
