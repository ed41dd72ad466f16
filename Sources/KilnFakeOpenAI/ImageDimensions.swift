import KilnCore

/// Width, height and alpha read from an image's header bytes (PNG IHDR, JPEG SOF, WebP VP8/VP8L/VP8X),
/// without decoding pixels.
struct ImageDimensions: Hashable {
    var width: Int
    var height: Int
    var hasAlpha: Bool

    init?(_ b: [UInt8]) {
        switch ImageFormat(sniffing: b) {
        case .png?:
            guard b.count >= 33, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
            width = Self.be32(b, 16); height = Self.be32(b, 20)
            let colour = b[25]
            hasAlpha = colour == 4 || colour == 6 || Self.pngHasTRNS(b)
        case .jpeg?:
            var i = 2
            while i + 9 < b.count {
                guard b[i] == 0xFF else { return nil }
                let marker = b[i + 1]
                let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                    height = Int(b[i + 5]) << 8 | Int(b[i + 6]); width = Int(b[i + 7]) << 8 | Int(b[i + 8])
                    hasAlpha = false
                    return
                }
                i += 2 + length
            }
            return nil
        case .webp?:
            guard b.count >= 30 else { return nil }
            let kind = String(decoding: b[12..<16], as: UTF8.self)
            switch kind {
            case "VP8L":
                let bits = UInt32(b[21]) | UInt32(b[22]) << 8 | UInt32(b[23]) << 16 | UInt32(b[24]) << 24
                width = Int(bits & 0x3FFF) + 1; height = Int((bits >> 14) & 0x3FFF) + 1
                hasAlpha = (bits >> 28) & 1 == 1
            case "VP8X":
                width = (Int(b[24]) | Int(b[25]) << 8 | Int(b[26]) << 16) + 1
                height = (Int(b[27]) | Int(b[28]) << 8 | Int(b[29]) << 16) + 1
                hasAlpha = b[20] & 0x10 != 0
            case "VP8 ":
                width = (Int(b[26]) | Int(b[27]) << 8) & 0x3FFF; height = (Int(b[28]) | Int(b[29]) << 8) & 0x3FFF
                hasAlpha = false
            default:
                return nil
            }
        case nil:
            return nil
        }
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int {
        Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
    }

    private static func pngHasTRNS(_ b: [UInt8]) -> Bool {
        var i = 8
        while i + 8 <= b.count {
            let length = be32(b, i)
            let type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
            if type == "tRNS" { return true }
            if type == "IDAT" || type == "IEND" { return false }
            i += 12 + length
        }
        return false
    }
}
