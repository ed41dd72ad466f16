@testable import KilnCLI
import KilnCore
import Testing

/// What an adopted image must be for its step, apart from decoding: format, size (fixed, or any
/// the model makes for `auto`) and alpha for a transparent background.
@Suite struct AdoptionRulesTests {
    func step(model: String = "gpt-image-1.5", size: SizeSpec?, background: BackgroundMode? = nil,
              format: ImageFormat = .png) -> PlannedStep {
        PlannedStep(id: StepID(pipeline: "p", asset: "a", variant: nil, step: "main"), kind: .generate, provider: "openai",
                    model: model, prompt: "x", parameters: ImageParameters(size: size, background: background, format: format),
                    outputs: [StepOutput(path: "a.\(format.fileExtension)", owner: StepID(pipeline: "p", asset: "a", variant: nil, step: "main"))],
                    cacheKey: Digest.sha256("k"))
    }

    func image(_ width: Int, _ height: Int, _ format: ImageFormat = .png, alpha: Bool = false) -> ImageInfo {
        ImageInfo(format: format, width: width, height: height, bands: alpha ? 4 : 3, hasAlpha: alpha)
    }

    @Test func aFixedSizeMustBeMatchedExactly() {
        #expect(AdoptionRules.problem(with: image(1024, 1024), for: step(size: .fixed(width: 1024, height: 1024))) == nil)
        #expect(AdoptionRules.problem(with: image(1024, 1536), for: step(size: .fixed(width: 1024, height: 1024)))
            == "it is 1024x1536 but the step asks for 1024x1024: resize or export it at 1024x1024")
    }

    @Test(arguments: [SizeSpec.auto, nil])
    func anAutoSizeTakesAnySizeTheModelMakes(_ size: SizeSpec?) {
        #expect(AdoptionRules.problem(with: image(1536, 1024), for: step(size: size)) == nil)
        let odd = AdoptionRules.problem(with: image(1000, 1000), for: step(size: size))
        #expect(odd?.hasPrefix("it is 1000x1000, a size the step's model cannot make (gpt-image-1.5 does not support size 1000x1000") == true,
                "\(odd ?? "accepted")")
        let flexible = "gpt-image-2-2026-04-21"
        #expect(AdoptionRules.problem(with: image(64, 48), for: step(model: flexible, size: size)) == nil)
        #expect(AdoptionRules.problem(with: image(50, 50), for: step(model: flexible, size: size))?
            .contains("must have both sides divisible by 16") == true)
    }

    @Test func theFormatAndAlphaMustBeTheSteps() {
        let transparent = step(size: .fixed(width: 1024, height: 1024), background: .transparent)
        #expect(AdoptionRules.problem(with: image(1024, 1024, alpha: true), for: transparent) == nil)
        #expect(AdoptionRules.problem(with: image(1024, 1024), for: transparent)?.hasPrefix("it has no alpha channel") == true)
        #expect(AdoptionRules.problem(with: image(1024, 1024, .jpeg), for: transparent)
            == "it is a jpeg image but the step makes png: convert it to png")
        let jpeg = step(size: .fixed(width: 1024, height: 1024), format: .jpeg)
        #expect(AdoptionRules.problem(with: image(1024, 1024, .jpeg), for: jpeg) == nil)
    }
}
