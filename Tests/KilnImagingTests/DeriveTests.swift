import Foundation
import KilnCore
@testable import KilnImaging
import Testing

@Suite struct DeriveTests {
    let toolkit = VipsToolkit()

    /// Input size, resize box, and the size expected (written out so a wrong `outputSize` fails too).
    static let resizeTable: [(Int, Int, ResizeSpec, Int, Int)] = [
        (400, 200, ResizeSpec(width: 200, height: 200, fit: .contain), 200, 100),
        (400, 200, ResizeSpec(width: 200, height: 200, fit: .cover), 200, 200),
        (400, 200, ResizeSpec(width: 100, height: 300, fit: .fill), 100, 200),
        (100, 50, ResizeSpec(width: 400, height: 400, fit: .contain, upscale: true), 400, 200),
        (100, 50, ResizeSpec(width: 400, height: 400, fit: .contain), 100, 50),
        (100, 50, ResizeSpec(width: 80, height: 80, fit: .cover), 80, 50),
        (100, 50, ResizeSpec(width: 80, height: 80, fit: .cover, upscale: true), 80, 80),
        (100, 50, ResizeSpec(width: 300, height: 300, fit: .fill, upscale: true), 300, 300),
        (100, 50, ResizeSpec(width: 30, height: nil), 30, 15),
        (333, 777, ResizeSpec(width: nil, height: 100), 43, 100),
        (1024, 1024, ResizeSpec(width: 256, height: 256, fit: .contain), 256, 256),
    ]

    @Test(arguments: 0..<resizeTable.count)
    func resizeMakesExactlyOutputSize(_ row: Int) async throws {
        let (w, h, spec, expectedW, expectedH) = Self.resizeTable[row]
        let ops = DeriveOperations(resize: spec, format: .png)
        #expect(ops.outputSize(width: w, height: h) == (expectedW, expectedH))
        let out = try await toolkit.inspect(toolkit.derive(TestImages.coordinates(w, h), ops))
        #expect((out.width, out.height) == (expectedW, expectedH))
    }

    /// jpeg and webp shrink while decoding; odd sizes must still come out exactly.
    @Test(arguments: ImageFormat.allCases)
    func shrinkOnLoadKeepsTheExactSize(_ format: ImageFormat) async throws {
        let source = try TestImages.decode(TestImages.coordinates(1001, 667)).encoded(as: format)
        for spec in [ResizeSpec(width: 257, height: nil), ResizeSpec(width: 100, height: 100, fit: .cover),
                     ResizeSpec(width: 333, height: 100, fit: .fill)] {
            let ops = DeriveOperations(resize: spec, format: .png)
            let out = try await toolkit.inspect(toolkit.derive(source, ops))
            #expect((out.width, out.height) == ops.outputSize(width: 1001, height: 667))
        }
    }

    /// A phone photo stored sideways (40x20, left half red) with EXIF orientation 6 shows 20x40 with
    /// red on top: every derive path, and `inspect`, must see it that way.
    @Test func sidewaysPhotosAreTurnedUprightFirst() async throws {
        let photo = TestImages.withOrientation(try TestImages.redLeftBlueRight(40, 20, as: .jpeg), 6)
        #expect(try TestImages.decode(photo).orientation == 6, "the spliced EXIF segment was not read")
        let info = try await toolkit.inspect(photo)
        #expect((info.width, info.height) == (20, 40))
        let red: [Double] = [255, 0, 0], blue: [Double] = [0, 0, 255]
        let paths = [
            DeriveOperations(resize: ResizeSpec(width: 10, height: nil), format: .png),            // thumbnail path
            DeriveOperations(crop: CropSpec(x: 0, y: 0, width: 20, height: 40),
                             resize: ResizeSpec(width: 10, height: nil), format: .png),            // decode path
            DeriveOperations(format: .png),                                                          // re-encode only
        ]
        for ops in paths {
            let out = try TestImages.decode(await toolkit.derive(photo, ops))
            let (w, h) = (out.width, out.height)
            #expect((w, h) == ops.outputSize(width: 20, height: 40))
            #expect(TestImages.near(try out.pixel(x: w / 2, y: h / 8), red, tolerance: 40), "top is not red: \(ops)")
            #expect(TestImages.near(try out.pixel(x: w / 2, y: h - 1 - h / 8), blue, tolerance: 40), "bottom is not blue: \(ops)")
            #expect(out.orientation == 1)
        }
    }

    @Test func coverCropsTheCentre() async throws {
        // 300x100 → cover 100x100 keeps the middle third: x 100…199 scaled 1:1.
        let ops = DeriveOperations(resize: ResizeSpec(width: 100, height: 100, fit: .cover), format: .png)
        let image = try TestImages.decode(await toolkit.derive(TestImages.coordinates(300, 100), ops))
        #expect(abs(try image.pixel(x: 0, y: 0)[0] - 100) <= 2)
    }

    @Test func cropTakesTheRequestedRectangle() async throws {
        let source = try TestImages.coordinates(100, 80)
        let ops = DeriveOperations(crop: CropSpec(x: 10, y: 20, width: 30, height: 40), format: .png)
        let image = try TestImages.decode(await toolkit.derive(source, ops))
        #expect((image.width, image.height) == (30, 40))
        #expect(try image.pixel(x: 0, y: 0) == [10, 20, 77])

        let centred = try TestImages.decode(await toolkit.derive(source, DeriveOperations(crop: CropSpec(width: 20, height: 20))))
        #expect(try centred.pixel(x: 0, y: 0) == [40, 30, 77])

        let overhanging = DeriveOperations(crop: CropSpec(x: 90, y: 0, width: 30, height: 10))
        #expect(overhanging.outputSize(width: 100, height: 80) == (10, 10))
        #expect(try await toolkit.inspect(toolkit.derive(source, overhanging)).width == 10)

        await #expect(throws: ImagingError.self) {
            try await toolkit.derive(source, DeriveOperations(crop: CropSpec(x: 200, y: 0, width: 10, height: 10)))
        }
    }

    @Test func padUsesTheBackgroundOrTransparency() async throws {
        let red = try TestImages.solid(10, 10, RGBAColor(red: 255, green: 0, blue: 0))
        let blue = RGBAColor(red: 0, green: 0, blue: 255)
        let padded = try TestImages.decode(await toolkit.derive(red, DeriveOperations(pad: Insets(all: 5), background: blue)))
        #expect((padded.width, padded.height) == (20, 20))
        #expect(try padded.pixel(x: 0, y: 0) == [0, 0, 255])
        #expect(try padded.pixel(x: 10, y: 10) == [255, 0, 0])

        let clear = try TestImages.decode(await toolkit.derive(red, DeriveOperations(pad: Insets(top: 0, right: 4, bottom: 0, left: 0))))
        #expect((clear.width, clear.height) == (14, 10) && clear.hasAlpha)
        #expect(try clear.pixel(x: 13, y: 0)[3] == 0)
        #expect(try clear.pixel(x: 0, y: 0) == [255, 0, 0, 255])
    }

    @Test func fullPipelineHitsOutputSizeAndFormat() async throws {
        let ops = DeriveOperations(crop: CropSpec(width: 900, height: 700), resize: ResizeSpec(width: 256, height: 256),
                                   pad: Insets(all: 8), background: .white, format: .webp, quality: 80)
        let out = try await toolkit.inspect(toolkit.derive(TestImages.halfTransparent(1024, 1024), ops))
        let expected = ops.outputSize(width: 1024, height: 1024)
        #expect(expected == (272, 215))
        #expect(out.format == .webp && (out.width, out.height) == expected && !out.hasAlpha)
    }
}
