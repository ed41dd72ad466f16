import Foundation
import KilnCore
import KilnImaging

/// PNG answers the size the live service sends (~1.8 MB for 1024×1024), for benchmarks and memory
/// tests: a real image of the requested size whose top rows are noise (which PNG cannot compress)
/// and the rest flat, so its encoded size lands near `targetBytes`. Each answer differs from every
/// other in a `tEXt` chunk before `IEND`, so no two answers share a digest.
///
/// The base64 of everything before the chunk is computed once per shape (its length kept a multiple
/// of 3 so it stays valid when the tail is appended): an answer costs the fake a few bytes of work.
struct RealisticAnswer: Sendable {
    /// Base64 (ASCII bytes) of the PNG up to the cut, and the raw bytes from the cut to `IEND`.
    let headBase64: Data
    let tail: Data

    init(width: Int, height: Int, targetBytes: Int) throws {
        var pixels = [UInt8](repeating: 0x5A, count: width * height * 3)
        // Noise compresses to about itself: one noisy row costs ~width × 3 bytes.
        let noisyRows = min(height, max(1, targetBytes / (width * 3)))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in 0..<(noisyRows * width * 3) {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            pixels[i] = UInt8(truncatingIfNeeded: state)
        }
        let png = try VipsImage(pixels: pixels, width: width, height: height, bands: 3).encoded(as: .png)
        // IEND is the last 12 bytes; cut on a multiple of 3 at or before it.
        let cut = (png.count - 12) / 3 * 3
        headBase64 = png.prefix(cut).base64EncodedData()
        tail = png.suffix(from: png.startIndex + cut)
    }

    /// The answer numbered `serial`, as base64 bytes: one copy of the shared head, a few bytes more.
    func base64(serial: Int) -> Data {
        var rest = Data(tail.dropLast(12))  // the bytes between the cut and IEND
        rest.append(Self.chunk("tEXt", Data("kiln-fake\u{0}answer \(serial)".utf8)))
        rest.append(tail.suffix(12))
        let end = rest.base64EncodedData()
        var out = Data(capacity: headBase64.count + end.count)
        out.append(headBase64)
        out.append(end)
        return out
    }

    private static func chunk(_ type: String, _ body: Data) -> Data {
        var out = Data()
        let length = UInt32(body.count)
        out.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        let typed = Data(type.utf8) + body
        out.append(typed)
        let crc = typed.withUnsafeBytes { CRC32.checksum($0) }
        out.append(contentsOf: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
        return out
    }
}
