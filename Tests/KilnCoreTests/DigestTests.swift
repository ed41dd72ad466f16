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
