import Foundation
import KilnCore
@testable import KilnImaging
import KilnPlaceholder
import Testing

@Suite struct PlaceholderTests {
    let provider = PlaceholderProvider()
    let toolkit = VipsToolkit()

    func request(_ prompt: String = "a red ceramic mug on a wooden table, soft morning light",
                 kind: StepKind = .generate, _ parameters: ImageParameters = ImageParameters(size: .fixed(width: 256, height: 256)),
                 images: [InputImage] = [], mask: InputImage? = nil) -> ImageRequest {
        ImageRequest(stepID: StepID(pipeline: "shop", asset: "mug", variant: nil, step: "hero"), kind: kind, model: "gpt-image-1", prompt: prompt,
                     parameters: parameters, images: images, mask: mask)
    }

    func request(_ parameters: ImageParameters) -> ImageRequest {
        request(kind: .generate, parameters)
    }

    @Test func rendersAreByteIdenticalAndPromptsDiffer() async throws {
        let first = try await provider.run(request())
        let second = try await provider.run(request())
        #expect(first.images == second.images)
        let other = try await provider.run(request("a blue teapot"))
        #expect(other.images != first.images)
        #expect(first.usage == nil && first.requestID == nil)
        #expect(first.resolved == ["size": "256x256", "quality": "medium", "background": "opaque", "output_format": "png"])
    }

    @Test func autoSizeIsSquare1024AndNImagesDiffer() async throws {
        let response = try await provider.run(request(kind: .generate, ImageParameters(size: .auto, n: 3)))
        #expect(response.images.count == 3 && Set(response.images).count == 3)
        let info = try await toolkit.inspect(response.images[0])
        #expect((info.width, info.height) == (1024, 1024))
        #expect(response.resolved["size"] == "1024x1024")
    }

    /// One request for several candidates (`n`) draws each as a request for that candidate alone
    /// would, so a placeholder build looks the same however its candidates were asked for; a
    /// re-rolled candidate looks different.
    @Test func aCandidateLooksTheSameAloneOrInOneRequestWithTheOthers() async throws {
        let id = StepID(pipeline: "shop", asset: "mug", variant: nil, step: "hero")
        func candidates(_ numbers: [Int], reroll: String? = nil) -> ImageRequest {
            var r = request(ImageParameters(size: .fixed(width: 128, height: 128), n: numbers.count))
            r.candidates = numbers.map { ImageRequest.Candidate(id: id.candidate($0), number: $0, reroll: reroll) }
            return r
        }
        let together = try await provider.run(candidates([2, 3, 4])).images
        #expect(Set(together).count == 3)
        for (i, number) in [2, 3, 4].enumerated() {
            #expect(try await provider.run(candidates([number])).images == [together[i]], "candidate \(number)")
        }
        #expect(try await provider.run(candidates([3], reroll: "r1")).images != [together[1]])
        // Candidate 1 draws as the step without candidates does, but names itself.
        let first = try await provider.run(candidates([1])).images[0]
        let plain = try await provider.run(request(ImageParameters(size: .fixed(width: 128, height: 128)))).images[0]
        #expect(first != plain)
        #expect(try await toolkit.inspect(first).width == 128)
    }

    @Test(arguments: [ImageFormat.jpeg, .webp])
    func honoursSizeFormatAndCompression(_ format: ImageFormat) async throws {
        let high = ImageParameters(size: .fixed(width: 300, height: 200), quality: .high, format: format, compression: 95)
        let low = ImageParameters(size: .fixed(width: 300, height: 200), format: format, compression: 10)
        let good = try await provider.run(request(high)), poor = try await provider.run(request(low))
        let info = try await toolkit.inspect(good.images[0])
        #expect(info.format == format && (info.width, info.height) == (300, 200) && !info.hasAlpha)
        #expect(good.images[0].count > poor.images[0].count)
        #expect(good.resolved["quality"] == "high" && good.resolved["output_format"] == format.rawValue)
    }

    @Test func transparentBackgroundLeavesTheCornerClear() async throws {
        let response = try await provider.run(request(ImageParameters(size: .fixed(width: 200, height: 120),
                                                                      background: .transparent, format: .webp)))
        let image = try TestImages.decode(response.images[0])
        #expect(image.hasAlpha && (image.width, image.height) == (200, 120))
        #expect(try image.pixel(x: 0, y: 0)[3] == 0)
        #expect(try image.pixel(x: 100, y: 60)[3] == 255)
        #expect(response.resolved["background"] == "transparent")
        await #expect(throws: ProviderError.self) {
            try await provider.run(request(ImageParameters(background: .transparent, format: .jpeg)))
        }
    }

    @Test func editUsesTheFirstImageSizeAndMarksTheMask() async throws {
        let base = TestImages.input("inputs/product.png", try TestImages.solid(240, 160, .white))
        let inset = TestImages.input("inputs/logo.png", try TestImages.halfTransparent(50, 50))
        // Editable (alpha 0) on the left half, kept on the right.
        let mask = TestImages.input("inputs/mask.png", try TestImages.halfTransparent(240, 160))
        let edit = request("put the mug on marble", kind: .edit, ImageParameters(size: .auto),
                           images: [base, inset], mask: mask)
        let response = try await provider.run(edit)
        #expect(try await provider.run(edit).images == response.images)
        let image = try TestImages.decode(response.images[0])
        #expect((image.width, image.height) == (240, 160))
        let kept = try image.pixel(x: 200, y: 100), painted = try image.pixel(x: 60, y: 100)
        #expect(TestImages.near(kept, [255, 255, 255], tolerance: 2))
        #expect(!TestImages.near(painted, [255, 255, 255], tolerance: 20))
        #expect(response.resolved["size"] == "240x160")
    }

    @Test func editWithABadMaskIsAnInvalidRequest() async throws {
        let base = TestImages.input("inputs/product.png", try TestImages.solid(64, 64, .white))
        let mask = TestImages.input("inputs/mask.png", try TestImages.solid(32, 32, .transparent))
        do {
            _ = try await provider.run(request(kind: .edit, images: [base], mask: mask))
            Issue.record("a wrong-size mask was accepted")
        } catch let error as ProviderError {
            #expect(error.kind == .invalidRequest && error.message.contains("must match the first image's size"))
        }
    }
}
