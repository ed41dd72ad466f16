import CKilnVips
import Foundation
import KilnCore

/// One libvips image, owned: the reference is released when this object goes away.
///
/// `@unchecked Sendable` because a libvips image is immutable once built (every operation makes a
/// new image) and GObject reference counting is atomic, so sharing one between threads is safe.
/// The one catch — a lazily computed thumbnail result can be read only once — is handled by
/// `materialized()`, which callers use before reading an image twice.
package final class VipsImage: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of a reference a libvips call returned.
    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { kiln_vips_unref(pointer) }

    /// Decodes png, jpeg or webp bytes (libvips gets its own copy). Reads the header now, pixels later;
    /// a `sequential` image streams its pixels and may be read once, top to bottom.
    package convenience init(decoding data: Data, name: String = "image", sequential: Bool = false) throws {
        try VipsToolkit.initialize()
        guard ImageFormat(sniffing: data) != nil else {
            throw ImagingError(.decode, "\(name) is not a png, jpeg or webp image: its first bytes are no image signature")
        }
        let pointer = data.withUnsafeBytes { kiln_vips_new_from_buffer($0.baseAddress, $0.count, sequential ? 1 : 0) }
        guard let pointer else {
            throw ImagingError(.decode, "\(name) could not be decoded: re-export it as png, jpeg or webp",
                               vipsMessage: VipsImage.takeError())
        }
        self.init(owning: pointer)
    }

    /// Decodes and resizes `data` to exactly `width`×`height` in one streamed pass, shrinking while
    /// decoding where the format allows; `cover` covers the box and crops the centre.
    package convenience init(thumbnailing data: Data, name: String, width: Int, height: Int, cover: Bool) throws {
        try VipsToolkit.initialize()
        var out: OpaquePointer?
        let status = data.withUnsafeBytes {
            kiln_vips_thumbnail_buffer($0.baseAddress, $0.count, &out, Int32(width), Int32(height), cover ? 1 : 0)
        }
        guard status == 0, let out else {
            throw ImagingError(.decode, "\(name) could not be decoded and resized to \(width)x\(height)",
                               vipsMessage: VipsImage.takeError())
        }
        self.init(owning: out)
    }

    /// The width and height in `data`'s header, read without copying or decoding pixels.
    package static func headerSize(of data: Data, name: String) throws -> (width: Int, height: Int) {
        try VipsToolkit.initialize()
        guard ImageFormat(sniffing: data) != nil else {
            throw ImagingError(.decode, "\(name) is not a png, jpeg or webp image: its first bytes are no image signature")
        }
        var width: Int32 = 0, height: Int32 = 0
        let status = data.withUnsafeBytes { kiln_vips_header_size($0.baseAddress, $0.count, &width, &height) }
        guard status == 0 else {
            throw ImagingError(.decode, "\(name) could not be decoded: re-export it as png, jpeg or webp",
                               vipsMessage: VipsImage.takeError())
        }
        return (Int(width), Int(height))
    }

    /// A canvas of `colour`, with an alpha band when `alpha` is true (or the colour is not opaque).
    package convenience init(width: Int, height: Int, colour: RGBAColor, alpha: Bool = false) throws {
        try VipsToolkit.initialize()
        let withAlpha = alpha || colour.alpha != 255
        var ink = [Double(colour.red), Double(colour.green), Double(colour.blue)]
        if withAlpha { ink.append(Double(colour.alpha)) }
        guard let pointer = kiln_vips_canvas(Int32(width), Int32(height), ink, Int32(ink.count)) else {
            throw ImagingError(.operation, "could not make a \(width)x\(height) canvas", vipsMessage: VipsImage.takeError())
        }
        self.init(owning: pointer)
    }

    /// An image from interleaved 8-bit RGB or RGBA pixels (copied).
    package convenience init(pixels: [UInt8], width: Int, height: Int, bands: Int) throws {
        try VipsToolkit.initialize()
        let pointer = pixels.withUnsafeBytes {
            kiln_vips_new_from_memory($0.baseAddress, $0.count, Int32(width), Int32(height), Int32(bands))
        }
        guard let pointer else {
            throw ImagingError(.operation, "could not wrap \(width)x\(height)x\(bands) pixels", vipsMessage: VipsImage.takeError())
        }
        self.init(owning: pointer)
    }

    package var width: Int { Int(kiln_vips_width(pointer)) }
    package var height: Int { Int(kiln_vips_height(pointer)) }
    package var bands: Int { Int(kiln_vips_bands(pointer)) }
    package var hasAlpha: Bool { kiln_vips_has_alpha(pointer) != 0 }

    /// The band values of one pixel (e.g. `[r, g, b, a]`).
    package func pixel(x: Int, y: Int) throws -> [Double] {
        var values = [Double](repeating: 0, count: 16)
        var count: Int32 = 0
        guard kiln_vips_getpoint(pointer, Int32(x), Int32(y), &values, 16, &count) == 0 else {
            throw ImagingError(.operation, "could not read pixel \(x),\(y)", vipsMessage: VipsImage.takeError())
        }
        return Array(values.prefix(Int(count)))
    }

    /// Encodes as `format`; `quality` 1–100 applies to jpeg and webp (nil: encoder default).
    package func encoded(as format: ImageFormat, quality: Int? = nil, strip: Bool = true) throws -> Data {
        let code: kiln_format = switch format {
        case .png: KILN_PNG
        case .jpeg: KILN_JPEG
        case .webp: KILN_WEBP
        }
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        guard kiln_vips_save(pointer, code, Int32(quality ?? 0), strip ? 1 : 0, &buffer, &length) == 0,
              let buffer else {
            throw ImagingError(.encode, "could not encode a \(width)x\(height) image as \(format.rawValue)",
                               vipsMessage: VipsImage.takeError())
        }
        defer { kiln_vips_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    /// Reads and clears libvips' process-wide error buffer.
    static func takeError() -> String? {
        guard let text = kiln_vips_error_copy() else { return nil }
        defer { kiln_vips_free(text) }
        return String(cString: text)
    }
}
