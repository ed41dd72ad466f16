import Foundation
import KilnCore
@testable import KilnImaging

/// Real images made with libvips for the tests.
enum TestImages {
    /// An encoded `width`×`height` image of one colour (alpha band when the colour is not opaque).
    static func solid(_ width: Int, _ height: Int, _ colour: RGBAColor, as format: ImageFormat = .png,
                      alpha: Bool = false) throws -> Data {
        try VipsImage(width: width, height: height, colour: colour, alpha: alpha).encoded(as: format)
    }

    /// RGBA: the left half transparent, the right half opaque red.
    static func halfTransparent(_ width: Int, _ height: Int) throws -> Data {
        let canvas = try VipsImage(width: width, height: height, colour: .transparent)
        let red = try VipsImage(width: width / 2, height: height, colour: RGBAColor(red: 255, green: 0, blue: 0), alpha: true)
        return try canvas.compositing(red, x: width - width / 2, y: 0).encoded(as: .png)
    }

    /// RGB where red = x and green = y (mod 256), so a pixel tells where it came from.
    static func coordinates(_ width: Int, _ height: Int) throws -> Data {
        var pixels = [UInt8]()
        pixels.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width { pixels += [UInt8(x % 256), UInt8(y % 256), 77] }
        }
        return try VipsImage(pixels: pixels, width: width, height: height, bands: 3).encoded(as: .png)
    }

    /// `jpeg` with an EXIF segment whose orientation tag is `orientation` (6: shown turned a quarter
    /// turn clockwise, as phones store portrait photos), spliced in right after the start marker.
    static func withOrientation(_ jpeg: Data, _ orientation: UInt8) -> Data {
        let tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8]     // big-endian, IFD0 at 8
            + [0, 1]                                                     // one entry:
            + [0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0]      // Orientation, SHORT, 1 value
            + [0, 0, 0, 0]                                               // no next IFD
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return jpeg.prefix(2) + Data(segment) + jpeg.dropFirst(2)
    }

    /// A `width`×`height` image whose left half is red and right half blue.
    static func redLeftBlueRight(_ width: Int, _ height: Int, as format: ImageFormat) throws -> Data {
        let canvas = try VipsImage(width: width, height: height, colour: RGBAColor(red: 0, green: 0, blue: 255))
        let red = try VipsImage(width: width / 2, height: height, colour: RGBAColor(red: 255, green: 0, blue: 0))
        return try canvas.compositing(red, x: 0, y: 0).encoded(as: format)
    }

    static func decode(_ data: Data) throws -> VipsImage {
        try VipsImage(decoding: data).materialized()
    }

    static func input(_ name: String, _ data: Data) -> InputImage {
        InputImage(name: name, data: data, format: ImageFormat(sniffing: data) ?? .png)
    }

    /// Whether every value is within `tolerance` of the expected one.
    static func near(_ pixel: [Double], _ expected: [Double], tolerance: Double = 6) -> Bool {
        pixel.count == expected.count && zip(pixel, expected).allSatisfy { abs($0 - $1) <= tolerance }
    }
}
