import Foundation

/// A tiny PNG encoder for tests: 8-bit RGB or RGBA, deflate "stored" blocks (no compression),
/// so tests get real PNG bytes without zlib. Also reads back the IHDR.
public enum TestPNG {
    public static func make(width: Int, height: Int, alpha: Bool = false, seed: UInt8 = 0) -> Data {
        let channels = alpha ? 4 : 3
        var raw = [UInt8]()
        raw.reserveCapacity(height * (1 + width * channels))
        for y in 0..<height {
            raw.append(0) // filter: none
            for x in 0..<width {
                raw += [UInt8(truncatingIfNeeded: x &+ Int(seed)), UInt8(truncatingIfNeeded: y), seed]
                if alpha { raw.append(UInt8(truncatingIfNeeded: 255 - x)) }
            }
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = be32(width) + be32(height)
        ihdr += [8, alpha ? 6 : 2, 0, 0, 0]
        png += chunk("IHDR", ihdr)
        png += chunk("IDAT", zlibStored(raw))
        png += chunk("IEND", [])
        return Data(png)
    }

    /// Width, height and alpha from a PNG's IHDR; nil when `data` is not a PNG.
    public static func header(_ data: Data) -> (width: Int, height: Int, alpha: Bool)? {
        let b = [UInt8](data.prefix(33))
        guard b.count == 33, b[0] == 0x89, b[1] == 0x50, String(decoding: b[12..<16], as: UTF8.self) == "IHDR" else {
            return nil
        }
        func int(_ i: Int) -> Int { b[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20), b[25] == 6 || b[25] == 4)
    }

    private static func be32(_ v: Int) -> [UInt8] {
        [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return be32(body.count) + typed + be32(Int(crc32(typed)))
    }

    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let len = min(65_535, data.count - offset)
            let final: UInt8 = offset + len >= data.count ? 1 : 0
            out += [final, UInt8(len & 0xff), UInt8(len >> 8), UInt8(~len & 0xff), UInt8((~len >> 8) & 0xff)]
            out += data[offset..<offset + len]
            offset += len
        } while offset < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + be32(Int(b << 16 | a))
    }

    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
