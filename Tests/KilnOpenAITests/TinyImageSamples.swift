import Foundation
import KilnCore
import KilnImaging

/// Small real images for edit inputs, encoded with libvips (Kiln's own imaging).
enum TinyImageSamples {
    static func png(width: Int, height: Int, alpha: Bool = false) -> Data {
        encode(.png, width: width, height: height, alpha: alpha)
    }

    static func jpeg(width: Int, height: Int) -> Data {
        encode(.jpeg, width: width, height: height, alpha: false)
    }

    static func webp(width: Int, height: Int) -> Data {
        encode(.webp, width: width, height: height, alpha: false)
    }

    /// A solid image; an encoder failure yields empty data, which any test using it then fails on.
    private static func encode(_ format: ImageFormat, width: Int, height: Int, alpha: Bool) -> Data {
        let colour = RGBAColor(red: 90, green: 140, blue: 200, alpha: alpha ? 0 : 255)
        return (try? VipsImage(width: width, height: height, colour: colour, alpha: alpha).encoded(as: format)) ?? Data()
    }
}
