import Foundation
import KilnCore

/// Encodes solid-colour images of any size in PNG, JPEG or WebP with no image library: enough for a
/// fake server to answer with real, decodable images of the requested size and format.
enum TinyImageEncoder {
    /// A solid image; `alpha` makes PNG/WebP carry a transparent channel.
    static func encode(format: ImageFormat, width: Int, height: Int, alpha: Bool) -> Data {
        switch format {
        case .png: png(width: width, height: height, alpha: alpha)
        case .jpeg: jpeg(width: width, height: height)
        case .webp: webp(width: width, height: height, alpha: alpha)
        }
    }

    // MARK: PNG — stored (uncompressed) deflate blocks, CRC-32 and Adler-32.

    static func png(width: Int, height: Int, alpha: Bool) -> Data {
        let channels = alpha ? 4 : 3
        let pixel: [UInt8] = alpha ? [90, 140, 200, 0] : [90, 140, 200]
        var row = [UInt8](repeating: 0, count: 1 + width * channels)
        for x in 0..<width { row.replaceSubrange((1 + x * channels)..<(1 + (x + 1) * channels), with: pixel) }
        var raw = [UInt8]()
        raw.reserveCapacity(row.count * height)
        for _ in 0..<height { raw += row }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65_535, raw.count - offset)
            let last: UInt8 = offset + count == raw.count ? 1 : 0
            zlib += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + count)]
            offset += count
        } while offset < raw.count
        zlib += bigEndian(UInt32(adler32(raw)))
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let ihdr = bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, alpha ? 6 : 2, 0, 0, 0]
        out += chunk("IHDR", ihdr) + chunk("IDAT", zlib) + chunk("IEND", [])
        return Data(out)
    }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for chunk in stride(from: 0, to: bytes.count, by: 5552) {
            for byte in bytes[chunk..<min(chunk + 5552, bytes.count)] { a += UInt32(byte); b += a }
            a %= 65_521; b %= 65_521
        }
        return (b << 16) | a
    }

    // MARK: JPEG — baseline greyscale, every block DC 0 and no AC: two bits per block.

    static func jpeg(width: Int, height: Int) -> Data {
        var out: [UInt8] = [0xFF, 0xD8]
        out += [0xFF, 0xDB, 0x00, 0x43, 0x00] + [UInt8](repeating: 1, count: 64)
        out += [0xFF, 0xC0, 0x00, 0x0B, 0x08, UInt8(height >> 8), UInt8(height & 0xFF),
                UInt8(width >> 8), UInt8(width & 0xFF), 0x01, 0x01, 0x11, 0x00]
        // One-code Huffman tables: DC category 0 and AC end-of-block, each the 1-bit code "0".
        let oneCode: [UInt8] = [1] + [UInt8](repeating: 0, count: 15) + [0x00]
        out += [0xFF, 0xC4, 0x00, 0x14, 0x00] + oneCode
        out += [0xFF, 0xC4, 0x00, 0x14, 0x10] + oneCode
        out += [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]
        let blocks = ((width + 7) / 8) * ((height + 7) / 8)
        let bits = blocks * 2
        out += [UInt8](repeating: 0, count: bits / 8)
        if bits % 8 != 0 { out.append(UInt8(0xFF >> (bits % 8))) }  // pad with one-bits
        out += [0xFF, 0xD9]
        return Data(out)
    }

    // MARK: WebP — lossless (VP8L) with one-symbol prefix codes: zero bits per pixel.

    static func webp(width: Int, height: Int, alpha: Bool) -> Data {
        var bits = BitWriter()
        bits.write(UInt32(width - 1), 14)
        bits.write(UInt32(height - 1), 14)
        bits.write(alpha ? 1 : 0, 1)
        bits.write(0, 3)  // version
        bits.write(0, 1)  // no transform
        bits.write(0, 1)  // no colour cache
        bits.write(0, 1)  // no meta prefix codes
        for symbol in [140, 90, 200, alpha ? 0 : 255] as [UInt32] {  // green, red, blue, alpha
            bits.write(1, 1); bits.write(0, 1); bits.write(1, 1); bits.write(symbol, 8)
        }
        bits.write(1, 1); bits.write(0, 1); bits.write(0, 1); bits.write(0, 1)  // distance
        var payload: [UInt8] = [0x2F] + bits.bytes
        if payload.count % 2 == 1 { payload.append(0) }
        var out = Array("RIFF".utf8) + littleEndian(UInt32(4 + 8 + payload.count)) + Array("WEBPVP8L".utf8)
        out += littleEndian(UInt32(bits.bytes.count + 1)) + payload
        return Data(out)
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8(value >> 24)]
    }

    private struct BitWriter {
        var bytes: [UInt8] = []
        var used = 0
        mutating func write(_ value: UInt32, _ count: Int) {
            for i in 0..<count {
                if used == 0 { bytes.append(0) }
                if (value >> UInt32(i)) & 1 == 1 { bytes[bytes.count - 1] |= UInt8(1 << used) }
                used = (used + 1) % 8
            }
        }
    }
}
