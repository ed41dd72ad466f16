import Foundation
import KilnCore

/// The Images API's rules for edit inputs, checked locally so a bad request is never paid for:
/// 1–16 images, each png/jpeg/webp (by its bytes) under 50 MB; the mask a PNG with an alpha channel
/// and exactly the first image's size.
public enum EditPreflight {
    /// The most images one edit may send.
    public static let maxImages = 16
    /// Each input must be smaller than this many bytes.
    public static let maxBytes = 50 * 1024 * 1024
    /// A mask must be smaller than this many bytes (OpenAI's spec: "less than 4MB").
    public static let maxMaskBytes = 4 * 1024 * 1024

    /// Throws the first rule broken as an `ImagingError` (`.preflight`) naming the file and the fix.
    /// Decodes headers only; runs on the calling thread (use `VipsToolkit.preflightEdit` from async code).
    public static func check(images: [InputImage], mask: InputImage?) throws {
        guard !images.isEmpty else {
            throw ImagingError(.preflight, "an edit needs at least one input image: add one under `images`")
        }
        guard images.count <= maxImages else {
            throw ImagingError(.preflight, "an edit takes at most \(maxImages) images but this one has "
                + "\(images.count) (\(images[maxImages].name) is the \(maxImages + 1)th): remove \(images.count - maxImages)")
        }
        var first: ImageInfo?
        for image in images {
            let info = try inspect(image, role: "input")
            if first == nil { first = info }
        }
        guard let mask, let first else { return }
        guard mask.data.count < maxMaskBytes else {
            throw ImagingError(.preflight, "mask \(mask.name) is \(mask.data.count) bytes but a mask must be under 4 MB "
                + "(OpenAI's limit): save it with stronger PNG compression or fewer colours")
        }
        let info = try inspect(mask, role: "mask")
        guard info.format == .png else {
            throw ImagingError(.preflight, "mask \(mask.name) is a \(info.format.rawValue) file but a mask must be a "
                + "PNG with an alpha channel: export it as an RGBA png (alpha 0 where the edit may paint)")
        }
        guard info.hasAlpha else {
            throw ImagingError(.preflight, "mask \(mask.name) has no alpha channel: the edit paints where the mask's "
                + "alpha is 0, so export it as an RGBA png with transparency where the edit may paint")
        }
        guard info.width == first.width, info.height == first.height else {
            throw ImagingError(.preflight, "mask \(mask.name) is \(info.width)x\(info.height) but the first image "
                + "\(images[0].name) is \(first.width)x\(first.height): the mask must match the first image's size")
        }
    }

    private static func inspect(_ input: InputImage, role: String) throws -> ImageInfo {
        let label = role == "mask" ? "mask \(input.name)" : input.name
        guard input.data.count < maxBytes else {
            let megabytes = (Double(input.data.count) / 1_048_576 * 10).rounded() / 10
            throw ImagingError(.preflight, "\(label) is \(megabytes) MB but edit inputs must be under 50 MB: "
                + "downscale it or save it as jpeg or webp")
        }
        guard ImageFormat(sniffing: input.data) != nil else {
            throw ImagingError(.preflight, "\(label) is not a png, jpeg or webp image (judged by its bytes, not its "
                + "name): convert it to one of those")
        }
        do {
            return try VipsToolkit.inspectNow(input.data, name: label)
        } catch let error as ImagingError {
            throw ImagingError(.preflight, "\(label) could not be decoded: re-export it as png, jpeg or webp",
                               vipsMessage: error.vipsMessage)
        }
    }
}
