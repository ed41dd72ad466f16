import Foundation
import KilnCache
import KilnCore
import KilnRemoteCache
import KilnTestSupport
import Testing

@Suite struct RemoteCacheFolderTests {
    @Test func aFolderStoreKeepsWhatIsPutAndChecksBlobDigests() async throws {
        let folder = TemporaryFolder.make("kiln-remote-folder").appendingPathComponent("team/cache")
        let store = try RemoteCacheFolder.open(folder)
        let image = TestPNG.make(width: 4, height: 4)
        try await store.put(image, at: .blob(sha256: Digest.sha256(image)))
        #expect(try await store.get(.blob(sha256: Digest.sha256(image))) == image)
        await #expect(throws: CacheKeyError.self) {
            try await store.put(image, at: .blob(sha256: String(repeating: "0", count: 64)))
        }
        #expect(try await !store.contains(.action(key: "0123456789abcdef")))
    }
}
