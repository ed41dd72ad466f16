import CKilnVips
import KilnCore

/// Operations: each returns a new image and leaves this one as it was.
extension VipsImage {
    /// Runs a libvips call that makes one image, turning failure into an `ImagingError`.
    private func make(_ what: String, _ call: (inout OpaquePointer?) -> Int32) throws -> VipsImage {
        var out: OpaquePointer?
        guard call(&out) == 0, let out else {
            throw ImagingError(.operation, "could not \(what) a \(width)x\(height) image", vipsMessage: VipsImage.takeError())
        }
        return VipsImage(owning: out)
    }

    /// 8-bit sRGB (3 or 4 bands), whatever the source colourspace and depth.
    package func srgb8() throws -> VipsImage {
        try make("convert to 8-bit sRGB") { kiln_vips_to_srgb8(pointer, &$0) }
    }

    /// Exactly `width`×`height`; `cover` scales to cover and crops the centre, otherwise it stretches.
    package func resized(width: Int, height: Int, cover: Bool = false) throws -> VipsImage {
        try make("resize to \(width)x\(height)") {
            kiln_vips_resize_exact(pointer, &$0, Int32(width), Int32(height), cover ? 1 : 0)
        }
    }

    package func cropped(x: Int, y: Int, width: Int, height: Int) throws -> VipsImage {
        try make("crop \(width)x\(height)+\(x)+\(y) from") {
            kiln_vips_crop(pointer, &$0, Int32(x), Int32(y), Int32(width), Int32(height))
        }
    }

    /// Adds `insets` of `colour` around the image (alpha is used only if the image has an alpha band).
    package func padded(_ insets: Insets, colour: RGBAColor) throws -> VipsImage {
        var ink = [Double(colour.red), Double(colour.green), Double(colour.blue), Double(colour.alpha)]
        ink = Array(ink.prefix(bands))
        return try make("pad") {
            kiln_vips_embed(pointer, &$0, Int32(insets.left), Int32(insets.top),
                            Int32(width + insets.left + insets.right), Int32(height + insets.top + insets.bottom),
                            ink, Int32(ink.count))
        }
    }

    /// Blends away the alpha band onto `colour`'s RGB; images without alpha come back unchanged.
    package func flattened(onto colour: RGBAColor) throws -> VipsImage {
        guard hasAlpha else { return self }
        return try make("flatten") {
            kiln_vips_flatten(pointer, &$0, Double(colour.red), Double(colour.green), Double(colour.blue))
        }
    }

    /// Adds an opaque alpha band when there is none.
    package func withAlpha() throws -> VipsImage {
        guard !hasAlpha else { return self }
        return try make("add alpha to") { kiln_vips_add_alpha(pointer, &$0) }
    }

    /// `overlay` drawn over this image with its top-left corner at x,y.
    package func compositing(_ overlay: VipsImage, x: Int, y: Int) throws -> VipsImage {
        try make("composite onto") { kiln_vips_composite(pointer, overlay.pointer, &$0, Int32(x), Int32(y)) }
    }

    /// An RGBA layer tinting this mask's editable region (alpha < 128) and outlining it in `colour`.
    package func maskOverlay(colour: RGBAColor) throws -> VipsImage {
        try make("outline the editable region of") {
            kiln_vips_mask_overlay(pointer, &$0, Double(colour.red), Double(colour.green), Double(colour.blue))
        }
    }

    /// A copy carrying the string metadata field `name` (e.g. `exif-ifd0-ImageDescription`), which
    /// encoders write unless told to strip.
    package func withMetadata(_ name: String, _ value: String) throws -> VipsImage {
        try make("set \(name) on") { kiln_vips_set_string(pointer, &$0, name, value) }
    }

    /// The EXIF orientation (1 upright … 8), 1 when the image has none.
    package var orientation: Int { Int(kiln_vips_orientation(pointer)) }

    /// The size the image shows at: a photo whose orientation turns it a quarter turn (5–8) shows
    /// with its width and height swapped.
    package var shownSize: (width: Int, height: Int) {
        (5...8).contains(orientation) ? (height, width) : (width, height)
    }

    /// The image as it shows: turned by its EXIF orientation (a phone photo is often stored sideways
    /// with a tag saying so), without the tag. Itself when already upright.
    package func upright() throws -> VipsImage {
        guard (2...8).contains(orientation) else { return self }
        // Turning needs random access; a sequentially decoded image is read into memory first.
        let whole = try materialized()
        return try whole.make("turn upright") { kiln_vips_autorot(whole.pointer, &$0) }
    }

    /// Pixels computed into memory, so the image can be read any number of times.
    package func materialized() throws -> VipsImage {
        try make("materialise") { kiln_vips_materialize(pointer, &$0) }
    }

    /// `text` as an RGBA layer in `colour`, wrapped at `width` pixels; nil when no font can render it
    /// (a machine without fonts still gets deterministic, text-free images).
    package static func text(_ text: String, font: String, width: Int, colour: RGBAColor) -> VipsImage? {
        var out: OpaquePointer?
        guard !text.isEmpty,
              kiln_vips_text_layer(&out, text, font, Int32(width), Double(colour.red), Double(colour.green),
                                   Double(colour.blue)) == 0, let out else {
            _ = takeError()
            return nil
        }
        return VipsImage(owning: out)
    }
}
