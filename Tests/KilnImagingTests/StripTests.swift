import Foundation
import KilnCore
@testable import KilnImaging
import Testing

/// `strip` (default true) must hold for every output format, on both derive paths: no EXIF block in
/// the written bytes when true, the source's own EXIF when false.
@Suite struct StripTests {
    let toolkit = VipsToolkit()
    static let marker = "kiln-exif-marker"

    /// A sideways phone photo (orientation 6) whose EXIF also carries a recognisable description.
    static func photo() throws -> Data {
        MetadataProbe.withExif(try TestImages.redLeftBlueRight(40, 20, as: .jpeg), orientation: 6, marker: marker)
    }

    static let paths: [DeriveOperations] = [
        DeriveOperations(resize: ResizeSpec(width: 10, height: nil)),                       // thumbnail path
        DeriveOperations(crop: CropSpec(x: 0, y: 0, width: 20, height: 30)),                 // decode path
    ]

    @Test func theSourceReallyCarriesExif() throws {
        let exif = try MetadataProbe.exif(in: Self.photo(), .jpeg)
        #expect(exif?.range(of: Data(Self.marker.utf8)) != nil)
        #expect(try TestImages.decode(Self.photo()).orientation == 6)
    }

    @Test(arguments: ImageFormat.allCases, [true, false])
    func stripDecidesWhetherExifIsWritten(_ format: ImageFormat, _ strip: Bool) async throws {
        for var ops in Self.paths {
            ops.format = format
            ops.strip = strip
            let out = try await toolkit.derive(Self.photo(), ops)
            let exif = try MetadataProbe.exif(in: out, format)
            if strip {
                #expect(exif == nil, "\(format) kept an EXIF block of \(exif?.count ?? 0) bytes: \(ops)")
            } else {
                #expect(exif?.range(of: Data(Self.marker.utf8)) != nil, "\(format) lost the source's EXIF: \(ops)")
            }
            // Either way the pixels were turned upright, so nothing may tell a viewer to turn them again.
            let image = try TestImages.decode(out)
            #expect(image.orientation == 1, "\(format) strip \(strip) still says orientation \(image.orientation)")
            #expect((image.width, image.height) == ops.outputSize(width: 20, height: 40))
        }
    }

    /// A WebP with alpha keeps its extended header (VP8X) and stays decodable after its chunks go.
    @Test func strippedWebpWithAlphaStillDecodes() async throws {
        let source = MetadataProbe.withExif(try TestImages.redLeftBlueRight(40, 20, as: .jpeg), orientation: 1, marker: Self.marker)
        let ops = DeriveOperations(pad: Insets(all: 2), format: .webp, strip: true)
        let out = try await toolkit.derive(source, ops)
        #expect(try MetadataProbe.exif(in: out, .webp) == nil)
        let image = try TestImages.decode(out)
        #expect(image.hasAlpha && (image.width, image.height) == (44, 24))
        #expect(try image.pixel(x: 0, y: 0)[3] == 0)
    }
}
