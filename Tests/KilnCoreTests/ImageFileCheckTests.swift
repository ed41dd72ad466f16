import Foundation
import KilnCore
import Testing

/// The structure walk on hand-made files: the smallest valid PNG, JPEG and WebP headers, cut and damaged.
@Suite struct ImageFileCheckTests {
    /// A 3x2 RGBA PNG with a (tiny) IDAT and IEND, checksums computed here.
    static func png(width: Int = 3, height: Int = 2, colourType: UInt8 = 6, data: [UInt8] = [0x78, 0x9C, 1]) -> [UInt8] {
        func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
            let typed = Array(type.utf8) + body
            let crc = crc32(typed)
            return be(body.count) + typed + be(Int(crc))
        }
        let ihdr = be(width) + be(height) + [8, colourType, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", data) + chunk("IEND", [])
    }

    static func be(_ n: Int) -> [UInt8] { [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x02, 0x00, 0x03, 0x01, 0x01, 0x11, 0x00,
                                0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12, 0x34, 0xFF, 0x00, 0x56,
                                0xFF, 0xD9]

    static func webpLossless(width: Int, height: Int, alpha: Bool) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14 | (alpha ? 1 << 28 : 0)
        let body: [UInt8] = [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF), 0, 0, 0]
        let chunk = Array("VP8L".utf8) + [UInt8(body.count), 0, 0, 0] + body
        let size = 4 + chunk.count
        return Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), 0, 0] + Array("WEBP".utf8) + chunk
    }

    func facts(_ bytes: [UInt8]) -> Result<ImageFacts, ImageFileProblem> { ImageFileCheck.inspect(Data(bytes)) }

    @Test func wholeFilesGiveTheirSizeAndAlpha() throws {
        let png = try facts(Self.png()).get()
        #expect((png.format, png.width, png.height, png.hasAlpha) == (.png, 3, 2, true))
        #expect(try facts(Self.png(colourType: 2)).get().hasAlpha == false)
        let jpeg = try facts(Self.jpeg).get()
        #expect((jpeg.format, jpeg.width, jpeg.height, jpeg.hasAlpha) == (.jpeg, 3, 2, false))
        let webp = try facts(Self.webpLossless(width: 5, height: 7, alpha: true)).get()
        #expect((webp.format, webp.width, webp.height, webp.hasAlpha) == (.webp, 5, 7, true))
    }

    @Test func everyCutOfAFileIsRefused() {
        for whole in [Self.png(), Self.jpeg, Self.webpLossless(width: 5, height: 7, alpha: false)] {
            for length in 1..<whole.count {
                guard case let .failure(problem) = facts(Array(whole.prefix(length))) else {
                    Issue.record("a file cut to \(length) of \(whole.count) bytes passed")
                    continue
                }
                #expect(!problem.message.isEmpty)
            }
        }
    }

    @Test func aChangedByteFailsThePNGChecksum() {
        var bytes = Self.png()
        bytes[bytes.count - 16] ^= 0xFF   // inside IDAT
        guard case let .failure(problem) = facts(bytes) else { Issue.record("passed"); return }
        #expect(problem.message.contains("fails its checksum"))
    }

    @Test func imageDataThatIsNotZlibAndImpossibleSizesAreRefused() {
        guard case let .failure(notZlib) = facts(Self.png(data: Array("notzlibdata".utf8))) else { Issue.record("passed"); return }
        #expect(notZlib.message.contains("not zlib-compressed"))
        guard case let .failure(huge) = facts(Self.png(width: 100_000, height: 100_000)) else { Issue.record("passed"); return }
        #expect(huge.message.contains("100000x100000 pixels"), "\(huge.message)")
    }

    @Test(arguments: [("GIF89a......", "GIF"), ("BM" + String(repeating: ".", count: 20), "BMP"), ("hello world\n", "is text"),
                      ("<svg xmlns='x'></svg>", "SVG")])
    func foreignFilesAreNamed(_ text: String, _ word: String) {
        guard case let .failure(problem) = facts(Array(text.utf8)) else { Issue.record("passed"); return }
        #expect(problem.message.contains(word), "\(problem.message)")
    }

    @Test func pathsThatAreNotFilesAreSaidSo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        FileManager.default.createFile(atPath: dir.path + "/empty.png", contents: Data())
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/loop.png", withDestinationPath: "loop.png")
        func message(_ path: String) -> String? {
            if case let .failure(problem) = ImageFileCheck.inspect(path: path) { return problem.message }
            return nil
        }
        #expect(message(dir.path)?.contains("is a folder") == true)
        #expect(message(dir.path + "/empty.png")?.contains("is empty") == true)
        #expect(message(dir.path + "/loop.png")?.contains("loops") == true)
        #expect(message(dir.path + "/none.png") == "does not exist")
    }
}
