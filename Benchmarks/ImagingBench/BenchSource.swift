import Foundation
import KilnImaging

/// A photo-like RGB test image: smooth gradients plus deterministic noise, so PNG decoding costs
/// what it costs on real renders (a flat image would compress to nothing and decode instantly).
enum BenchSource {
    static func make(size: Int) throws -> Data {
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        var state: UInt32 = 2_463_534_242
        for y in 0..<size {
            for x in 0..<size {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5  // xorshift32
                let noise = Int(state & 15) - 8
                let i = (y * size + x) * 3
                pixels[i] = UInt8(clamping: x * 255 / size + noise)
                pixels[i + 1] = UInt8(clamping: y * 255 / size + noise)
                pixels[i + 2] = UInt8(clamping: 128 + (x - y) / 8 + noise)
            }
        }
        return try VipsImage(pixels: pixels, width: size, height: size, bands: 3).encoded(as: .png)
    }
}
