import Foundation
import KilnCore

extension VipsToolkit {
    /// The derive pipeline, run on the calling (imaging) thread.
    static func deriveNow(_ data: Data, _ operations: DeriveOperations) throws -> Data {
        let name = "the derive input"
        let size = try VipsImage.headerSize(of: data, name: name)
        let expected = operations.outputSize(width: size.width, height: size.height)
        var image: VipsImage
        if operations.crop == nil, let resize = operations.resize,
           case let .scale(width, height, cover)? = ResizeStep(resize, width: size.width, height: size.height) {
            // Fast path: decode and shrink in one pass (shrink-on-load for jpeg and webp); like the
            // other path (and `headerSize`), it turns the image upright by its EXIF orientation.
            image = try VipsImage(thumbnailing: data, name: name, width: width, height: height, cover: cover).srgb8()
        } else {
            image = try VipsImage(decoding: data, name: name, sequential: true).upright().srgb8()
            if let crop = operations.crop { image = try cropped(image, crop) }
            if let resize = operations.resize { image = try resized(image, resize) }
        }
        if let pad = operations.pad {
            let colour = operations.background ?? (operations.format.supportsAlpha ? .transparent : .white)
            if colour.alpha != 255 { image = try image.withAlpha() }
            image = try image.padded(pad, colour: colour)
        }
        if let background = operations.background { image = try flattened(image, onto: background) }
        if !operations.format.supportsAlpha {
            let colour = operations.background.flatMap { $0.alpha == 0 ? nil : $0 } ?? .white
            image = try image.flattened(onto: colour)
        }
        guard (image.width, image.height) == expected else {
            throw ImagingError(.operation, "derive made a \(image.width)x\(image.height) image but "
                + "\(expected.width)x\(expected.height) was expected: this is a Kiln bug, please report it")
        }
        return try image.encoded(as: operations.format, quality: operations.quality, strip: operations.strip)
    }

    /// The crop intersected with the image; centred on an axis whose offset is not given.
    private static func cropped(_ image: VipsImage, _ crop: CropSpec) throws -> VipsImage {
        let x = crop.x ?? max(0, (image.width - crop.width) / 2)
        let y = crop.y ?? max(0, (image.height - crop.height) / 2)
        let width = min(crop.width, image.width - x), height = min(crop.height, image.height - y)
        guard x >= 0, y >= 0, width > 0, height > 0 else {
            throw ImagingError(.invalidOperation, "crop \(crop.width)x\(crop.height) at \(x),\(y) lies outside the "
                + "\(image.width)x\(image.height) image: move it inside or make it smaller")
        }
        if (x, y, width, height) == (0, 0, image.width, image.height) { return image }
        return try image.cropped(x: x, y: y, width: width, height: height)
    }

    /// Scales to `ResizeSpec.outputSize`; `cover` without room to enlarge crops the centre instead.
    private static func resized(_ image: VipsImage, _ resize: ResizeSpec) throws -> VipsImage {
        switch ResizeStep(resize, width: image.width, height: image.height) {
        case nil:
            return image
        case let .scale(width, height, cover)?:
            return try image.resized(width: width, height: height, cover: cover)
        case let .centreCrop(width, height)?:
            return try image.cropped(x: (image.width - width) / 2, y: (image.height - height) / 2,
                                     width: width, height: height)
        }
    }

    /// Opaque colours flatten; fully transparent ones leave alpha alone; translucent ones sit under the image.
    private static func flattened(_ image: VipsImage, onto colour: RGBAColor) throws -> VipsImage {
        switch colour.alpha {
        case 255: return try image.flattened(onto: colour)
        case 0: return image
        default:
            let canvas = try VipsImage(width: image.width, height: image.height, colour: colour, alpha: true)
            return try canvas.compositing(image.withAlpha(), x: 0, y: 0)
        }
    }
}
