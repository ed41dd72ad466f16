import Foundation
import KilnCore

/// Finds the EXIF block in encoded png, jpeg and webp bytes by walking each container's own
/// structure (a plain search for "Exif" could match compressed pixels, or miss a renamed chunk).
enum MetadataProbe {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    /// The EXIF payload (a TIFF block, for jpeg after its "Exif\0\0" header), nil when there is none.
    /// Throws when the bytes are not a well-formed container of `format`.
    static func exif(in data: Data, _ format: ImageFormat) throws -> Data? {
        let bytes = [UInt8](data)
        switch format {
        case .jpeg: return try jpegExif(bytes)
        case .png: return try chunks(bytes, from: 8, bigEndian: true)["eXIf"]
        case .webp:
            guard bytes.count >= 12, Array(bytes[0..<4]) == Array("RIFF".utf8), Array(bytes[8..<12]) == Array("WEBP".utf8) else {
                throw Malformed(description: "no RIFF/WEBP header")
            }
            return try chunks(bytes, from: 12, bigEndian: false)["EXIF"]
        }
    }

    /// PNG (length, type, data, crc) or RIFF (type, length, data, pad) chunks by type; the last wins.
    private static func chunks(_ bytes: [UInt8], from start: Int, bigEndian png: Bool) throws -> [String: Data] {
        var found: [String: Data] = [:]
        var at = start
        while at < bytes.count {
            guard bytes.count - at >= 8 else { throw Malformed(description: "a chunk header is cut off at \(at)") }
            let lengthBytes = png ? bytes[at..<at + 4] : bytes[at + 4..<at + 8]
            let typeBytes = png ? bytes[at + 4..<at + 8] : bytes[at..<at + 4]
            let length = png ? lengthBytes.reduce(0) { $0 << 8 | Int($1) }
                             : lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
            let end = at + 8 + length + (png ? 4 : length & 1)
            guard end <= bytes.count else { throw Malformed(description: "a chunk runs past the end at \(at)") }
            found[String(decoding: typeBytes, as: UTF8.self)] = Data(bytes[at + 8..<at + 8 + length])
            at = end
        }
        return found
    }

    /// Walks the marker segments up to the first scan; EXIF is an APP1 segment starting "Exif\0\0".
    private static func jpegExif(_ bytes: [UInt8]) throws -> Data? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { throw Malformed(description: "no SOI marker") }
        let header = Array("Exif".utf8) + [0, 0]
        var at = 2
        while at + 4 <= bytes.count, bytes[at] == 0xFF {
            let marker = bytes[at + 1]
            if marker == 0xDA || marker == 0xD9 { return nil }   // start of scan / end of image
            let length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard length >= 2, at + 2 + length <= bytes.count else { throw Malformed(description: "a segment runs past the end") }
            let payload = Array(bytes[at + 4..<at + 2 + length])
            if marker == 0xE1, payload.starts(with: header) { return Data(payload.dropFirst(header.count)) }
            at += 2 + length
        }
        throw Malformed(description: "the marker segments end without a scan at \(at)")
    }

    /// `jpeg` with an EXIF segment holding an orientation tag and an ImageDescription of `marker`,
    /// spliced in right after the start marker, so a kept block can be told from a fresh one.
    static func withExif(_ jpeg: Data, orientation: UInt8, marker: String) -> Data {
        let text = Array(marker.utf8) + [0]
        let count = UInt8(text.count)
        let tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8]        // big-endian, IFD0 at 8
            + [0, 2]                                                        // two entries, by tag:
            + [0x01, 0x0E, 0, 2, 0, 0, 0, count, 0, 0, 0, 38]              // ImageDescription, ASCII at 38
            + [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]         // Orientation, SHORT
            + [0, 0, 0, 0]                                                  // no next IFD
            + text
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)
    }
}
