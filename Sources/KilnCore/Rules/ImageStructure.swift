/// Walks the container structure of PNG, JPEG and WebP files: every chunk or segment must fit
/// inside the file and the file must reach its end marker, so a truncated or damaged download is
/// caught without decoding pixels. Returns the image's size and whether it carries alpha.
enum ImageStructure {
    typealias Found = Result<(width: Int, height: Int, alpha: Bool), ImageFileProblem>

    static func truncated(_ detail: String) -> ImageFileProblem {
        ImageFileProblem("is truncated or damaged (\(detail)): export or download it again")
    }

    static func bigEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int {
        (0..<count).reduce(0) { $0 << 8 | Int(bytes[at + $1]) }
    }

    static func littleEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int {
        (0..<count).reversed().reduce(0) { $0 << 8 | Int(bytes[at + $1]) }
    }

    /// Signature, IHDR first, every chunk whole with a matching CRC, IDAT present, IEND last.
    static func png(_ bytes: [UInt8]) -> Found {
        var offset = 8
        var size: (Int, Int)?
        var alpha = false
        var sawData = false
        while offset + 12 <= bytes.count {
            let length = bigEndian(bytes, offset, 4)
            let type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard length <= 0x7FFF_FFFF, offset + 12 + length <= bytes.count else {
                return .failure(truncated("its \(type) chunk at byte \(offset) runs past the end of the file"))
            }
            let crc = bigEndian(bytes, offset + 8 + length, 4)
            if CRC32.checksum(bytes[(offset + 4)..<(offset + 8 + length)]) != UInt32(crc) {
                return .failure(truncated("its \(type) chunk at byte \(offset) fails its checksum"))
            }
            switch type {
            case "IHDR" where length >= 13:
                size = (bigEndian(bytes, offset + 8, 4), bigEndian(bytes, offset + 12, 4))
                let colourType = bytes[offset + 17]
                alpha = colourType == 4 || colourType == 6
            case "tRNS": alpha = true
            case "IDAT" where !sawData:
                // The first bytes of the compressed data are a zlib header: method 8, check bits.
                guard length >= 2, bytes[offset + 8] & 0x0F == 8,
                      (Int(bytes[offset + 8]) << 8 | Int(bytes[offset + 9])) % 31 == 0 else {
                    return .failure(truncated("its image data is not zlib-compressed"))
                }
                sawData = true
            case "IEND":
                guard let (width, height) = size else { return .failure(truncated("it has no IHDR header")) }
                guard sawData else { return .failure(truncated("it has no image data")) }
                return .success((width, height, alpha))
            default: break
            }
            if size == nil { return .failure(truncated("it does not start with an IHDR header")) }
            offset += 12 + length
        }
        return .failure(truncated("it ends at byte \(bytes.count) before the PNG end marker"))
    }

    /// Segments up to the start of scan, a frame header giving the size, and the end-of-image
    /// marker after the entropy-coded data (progressive files have several scans).
    static func jpeg(_ bytes: [UInt8]) -> Found {
        var offset = 2
        var size: (Int, Int)?
        while offset + 4 <= bytes.count {
            guard bytes[offset] == 0xFF else { return .failure(truncated("byte \(offset) is not a JPEG marker")) }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }   // fill byte
            if marker == 0xD9 { break }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { offset += 2; continue }
            let length = bigEndian(bytes, offset + 2, 2)
            guard length >= 2, offset + 2 + length <= bytes.count else {
                return .failure(truncated("a segment at byte \(offset) runs past the end of the file"))
            }
            if [0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF].contains(marker), length >= 7 {
                size = (bigEndian(bytes, offset + 7, 2), bigEndian(bytes, offset + 5, 2))
            }
            offset += 2 + length
            if marker == 0xDA {
                // Entropy-coded data: skip to the next marker that is not a stuffed 0x00 or a restart.
                while offset + 1 < bytes.count,
                      !(bytes[offset] == 0xFF && bytes[offset + 1] != 0 && !(0xD0...0xD7).contains(bytes[offset + 1])) {
                    offset += 1
                }
                if offset + 1 >= bytes.count { return .failure(truncated("the image data stops before the JPEG end marker")) }
            }
        }
        guard offset + 2 <= bytes.count, bytes[offset] == 0xFF, bytes[offset + 1] == 0xD9 else {
            return .failure(truncated("it ends before the JPEG end marker"))
        }
        guard let (width, height) = size else { return .failure(truncated("it has no frame header")) }
        return .success((width, height, false))
    }

    /// The RIFF size must fit the file, and the first image chunk gives size and alpha.
    static func webp(_ bytes: [UInt8]) -> Found {
        let riff = littleEndian(bytes, 4, 4)
        guard riff + 8 <= bytes.count else {
            return .failure(truncated("it says it is \(riff + 8) bytes but is \(bytes.count)"))
        }
        var offset = 12
        var found: (Int, Int, Bool)?
        var alphaChunk = false
        while offset + 8 <= riff + 8 {
            let type = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let length = littleEndian(bytes, offset + 4, 4)
            let body = offset + 8
            guard body + length <= riff + 8 else { return .failure(truncated("its \(type) chunk runs past the end")) }
            switch type {
            case "VP8X" where length >= 10 && found == nil:
                found = (littleEndian(bytes, body + 4, 3) + 1, littleEndian(bytes, body + 7, 3) + 1, bytes[body] & 0x10 != 0)
            case "VP8L" where length >= 5 && found == nil:
                guard bytes[body] == 0x2F else { return .failure(truncated("its lossless header is damaged")) }
                let bits = littleEndian(bytes, body + 1, 4)
                found = ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, (bits >> 28) & 1 == 1)
            case "VP8 " where length >= 10 && found == nil:
                guard bytes[body + 3] == 0x9D, bytes[body + 4] == 0x01, bytes[body + 5] == 0x2A else {
                    return .failure(truncated("its lossy header is damaged"))
                }
                found = (littleEndian(bytes, body + 6, 2) & 0x3FFF, littleEndian(bytes, body + 8, 2) & 0x3FFF, false)
            case "ALPH": alphaChunk = true
            default: break
            }
            offset = body + length + (length & 1)
        }
        guard let (width, height, alpha) = found else { return .failure(truncated("it has no image chunk")) }
        return .success((width, height, alpha || alphaChunk))
    }
}
