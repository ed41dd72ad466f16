import Foundation
@testable import KilnFakeOpenAI

/// Small real images for edit inputs, from the fake's own encoders.
enum TinyImageSamples {
    static func png(width: Int, height: Int, alpha: Bool = false) -> Data {
        TinyImageEncoder.png(width: width, height: height, alpha: alpha)
    }

    static func jpeg(width: Int, height: Int) -> Data {
        TinyImageEncoder.jpeg(width: width, height: height)
    }

    static func webp(width: Int, height: Int) -> Data {
        TinyImageEncoder.webp(width: width, height: height, alpha: false)
    }
}
