import Foundation
import KilnCore
import Testing

@Test func sha256OfKnownVector() {
    #expect(Digest.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
}

@Test(arguments: [
    ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0] as [UInt8], ImageFormat.png),
    ([0xFF, 0xD8, 0xFF, 0xE0], .jpeg),
    (Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBP".utf8), .webp),
])
func sniffsFormats(bytes: [UInt8], format: ImageFormat) {
    #expect(ImageFormat(sniffing: bytes) == format)
}

@Test func stepIDRoundTrips() {
    let id = StepID(pipeline: "stickers", asset: "corgi-pack", variant: "corgi-happy", step: "main")
    #expect(id.description == "stickers/corgi-pack@corgi-happy/main")
    #expect(StepID(parsing: id.description) == id)
    #expect(StepID(parsing: "stickers/hero/final")?.variant == nil)
}

/// A file hashed whole and in ranges, across the 1 MiB read size, as the bytes would be in memory;
/// a missing file and a range past the end throw.
@Test func sha256OfAFileAndOfRangesOfIt() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-digest-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let bytes = Data((0..<(3 << 20) + 5).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
    let file = folder.appendingPathComponent("bytes")
    try bytes.write(to: file)
    #expect(try Digest.sha256(fileAt: file) == Digest.sha256(bytes))
    for range in [0..<0, 0..<1, 7..<(1 << 20) + 9, (1 << 20)..<(2 << 20), 100..<bytes.count, bytes.count..<bytes.count] {
        #expect(try Digest.sha256(fileAt: file, range: range) == Digest.sha256(bytes[range]), "\(range)")
    }
    #expect(throws: (any Error).self) { try Digest.sha256(fileAt: file, range: bytes.count - 1..<bytes.count + 1) }
    #expect(throws: (any Error).self) { try Digest.sha256(fileAt: folder.appendingPathComponent("missing")) }
    let empty = folder.appendingPathComponent("empty")
    try Data().write(to: empty)
    #expect(try Digest.sha256(fileAt: empty) == Digest.sha256(Data()))
}
