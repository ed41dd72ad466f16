import Foundation
import KilnCore
@testable import KilnImaging
import Testing

@Suite struct PreflightTests {
    let toolkit = VipsToolkit()

    func product() throws -> InputImage {
        TestImages.input("inputs/product.png", try TestImages.halfTransparent(64, 64))
    }

    func failure(_ images: [InputImage], _ mask: InputImage?) async -> String? {
        do {
            try await toolkit.preflightEdit(images: images, mask: mask)
            return nil
        } catch let error as ImagingError {
            return error.kind == .preflight ? error.description : "wrong kind: \(error)"
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test func acceptsGoodInputs() async throws {
        let mask = TestImages.input("inputs/mask.png", try TestImages.halfTransparent(64, 64))
        let jpeg = TestImages.input("inputs/b.jpg", try TestImages.solid(30, 20, .white, as: .jpeg))
        #expect(await failure([try product(), jpeg], mask) == nil)
        #expect(await failure([try product()], nil) == nil)
    }

    @Test func rejectsAMaskOfTheWrongSize() async throws {
        let mask = TestImages.input("inputs/hero-mask.png", try TestImages.halfTransparent(32, 32))
        #expect(await failure([try product()], mask) == "mask inputs/hero-mask.png is 32x32 but the first image "
            + "inputs/product.png is 64x64: the mask must match the first image's size")
    }

    @Test func rejectsAMaskWithoutAlpha() async throws {
        let mask = TestImages.input("inputs/flat-mask.png", try TestImages.solid(64, 64, .black))
        let message = await failure([try product()], mask)
        #expect(message?.hasPrefix("mask inputs/flat-mask.png has no alpha channel") == true)
    }

    @Test func rejectsAJpegMask() async throws {
        let mask = TestImages.input("inputs/mask.png", try TestImages.solid(64, 64, .black, as: .jpeg))
        #expect(await failure([try product()], mask)?.hasPrefix("mask inputs/mask.png is a jpeg file") == true)
    }

    @Test func rejectsANonImageWhateverItsName() async throws {
        let fake = InputImage(name: "inputs/notes.png", data: Data("just text".utf8), format: .png)
        #expect(await failure([try product(), fake], nil)?.hasPrefix("inputs/notes.png is not a png, jpeg or webp image") == true)
    }

    @Test func rejectsSeventeenImages() async throws {
        let one = try product()
        let message = await failure(Array(repeating: one, count: 17), nil)
        #expect(message?.hasPrefix("an edit takes at most 16 images but this one has 17") == true)
        #expect(await failure(Array(repeating: one, count: 16), nil) == nil)
        #expect(await failure([], nil)?.contains("at least one input image") == true)
    }

    @Test func rejectsInputsOf50MegabytesOrMore() async throws {
        var big = try TestImages.solid(8, 8, .white)
        big.append(Data(count: EditPreflight.maxBytes))
        let message = await failure([TestImages.input("inputs/huge.png", big)], nil)
        #expect(message?.hasPrefix("inputs/huge.png is 50.0 MB but edit inputs must be under 50 MB") == true)
    }
}
