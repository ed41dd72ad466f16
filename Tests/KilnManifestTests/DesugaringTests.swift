import KilnCore
import KilnManifest
import Testing

/// The shorthand forms become ordinary steps with default outputs and names.
@Suite struct DesugaringTests {
    func asset(_ yaml: String) throws -> Asset {
        let result = Fixtures.load("version: 1\nassets:\n" + yaml)
        #expect(result.diagnostics.map(\.description) == [])
        return try #require(result.manifest?.assets.first)
    }

    @Test func promptIsOneGenerateStepNamedMain() throws {
        let a = try asset("  logo:\n    prompt: a kiln\n    quality: high\n")
        #expect(a.steps.map(\.name.value) == ["main"])
        #expect(a.steps[0].kind == .generate)
        #expect(a.steps[0].output?.value == "{{pipeline}}/{{asset}}.{{ext}}")
        // Asset-level parameters stay on the asset, inherited by the step.
        #expect(a.parameters.quality == .high)
        #expect(a.steps[0].parameters.quality == nil)
        #expect(a.finalStepName == "main")
    }

    @Test func imagesMakeItAnEdit() throws {
        let a = try asset("  fix:\n    prompt: tidy\n    images: [inputs/product.png]\n    mask: inputs/hero-mask.png\n    output: fix.png\n")
        #expect(a.steps[0].kind == .edit)
        #expect(a.steps[0].images.map(\.value) == [.file("inputs/product.png")])
        #expect(a.steps[0].mask?.value == .file("inputs/hero-mask.png"))
        #expect(a.steps[0].output?.value == "fix.png")
    }

    @Test func matrixDefaultOutputsUseTheVariant() throws {
        let a = try asset("  s:\n    matrix: { c: [red, blue] }\n    prompt: a {{c}} dot\n    derive: [{ resize: 64 }]\n    sizes: [16]\n")
        #expect(a.steps.map(\.output?.value) == [
            "{{pipeline}}/{{asset}}/{{variant}}.{{ext}}",
            "{{pipeline}}/{{asset}}/{{variant}}-{{step}}.{{ext}}",
            "{{pipeline}}/{{asset}}/{{variant}}-{{size}}.{{ext}}",
        ])
    }

    @Test func deriveItemsAreNamedAndReadFromMain() throws {
        let one = try asset("  a:\n    prompt: x\n    derive: [{ resize: 64 }]\n")
        #expect(one.steps.map(\.name.value) == ["main", "derive"])
        #expect(one.steps[1].from == nil)
        #expect(one.steps[1].output?.value == "{{pipeline}}/{{asset}}/{{asset}}-{{step}}.{{ext}}")
        #expect(one.steps[1].derive?.resize == ResizeSpec(width: 64, height: 64, fit: .contain))

        let three = try asset("  a:\n    prompt: x\n    derive:\n      - { resize: 64 }\n      - { name: thumb, resize: 32x16, fit: fill }\n      - { crop: 10x10 }\n")
        #expect(three.steps.map(\.name.value) == ["main", "derive-1", "thumb", "derive-3"])
        #expect(three.steps[2].derive?.resize == ResizeSpec(width: 32, height: 16, fit: .fill))
        #expect(three.steps[3].derive?.crop == CropSpec(width: 10, height: 10))
        #expect(three.finalStepName == "main")
    }

    @Test func sizesBecomeOneDeriveStep() throws {
        let a = try asset("  icon:\n    preset: icon\n    prompt: an icon\n    sizes: [16, 32]\n")
        let sizes = try #require(a.step(named: "sizes"))
        #expect(sizes.kind == .derive)
        #expect(sizes.sizes.map(\.value) == [16, 32])
        #expect(sizes.from == nil)
        #expect(sizes.output?.value == "{{pipeline}}/{{asset}}/{{asset}}-{{size}}.{{ext}}")
    }

    @Test func sizesFollowAWrittenFinalStep() throws {
        let a = try asset("""
              icon:
                final: a
                steps:
                  a: { generate: { prompt: one } }
                  b: { generate: { prompt: two } }
                sizes: [16]

            """)
        #expect(a.step(named: "sizes")?.from?.value == .reference("icon", step: "a"))
    }

    @Test func deriveOperations() throws {
        let a = try asset("""
              p:
                steps:
                  g: { generate: { prompt: x } }
                  d: { derive: { pad: { top: 1, left: 2 }, background: "#0f08", strip: false, resize: { height: 9 }, upscale: true } }

            """)
        let d = try #require(a.step(named: "d"))
        #expect(d.derive == DeriveSpec(resize: ResizeSpec(width: nil, height: 9, fit: .contain, upscale: true),
                                       pad: Insets(top: 1, right: 0, bottom: 0, left: 2),
                                       background: RGBAColor(red: 0, green: 255, blue: 0, alpha: 0x88), strip: false))
    }

    @Test func scalarsBecomeStrings() throws {
        let result = Fixtures.load("version: 1\nvars: { year: 2026, on: true }\ndefaults: { salt: 7 }\nassets:\n  a: { prompt: x }\n")
        let manifest = try #require(result.manifest)
        #expect(manifest.vars.map(\.value.value) == ["2026", "true"])
        #expect(manifest.defaults.salt == "7")
    }

    @Test func jpgMeansJpeg() throws {
        let a = try asset("  a: { prompt: x, format: jpg, output: a.jpg }\n")
        #expect(a.parameters.format == .jpeg)
    }
}
