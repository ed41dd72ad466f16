import Foundation
import KilnCore
import KilnManifest
import Testing

@Suite struct GoodManifestTests {
    @Test(arguments: Fixtures.names(in: "good"))
    func validates(_ name: String) {
        let result = Fixtures.load("good", name)
        #expect(result.manifest != nil)
        #expect(result.diagnostics.map(\.description) == [])
    }

    @Test func exampleDecodesAsWritten() throws {
        let manifest = try #require(Fixtures.load("good", "example").manifest)
        #expect(manifest.pipeline == "example")
        #expect(manifest.assets.map(\.name.value) == ["corgi-pack", "hero", "app-icon"])
        #expect(manifest.defaults.model == "gpt-image-1.5")
        #expect(manifest.defaults.quality == .medium)
        #expect(manifest.vars.map(\.value.value) == ["thick white stroke"])
        #expect(manifest.presets["badge"]?.parameters.compression == 90)

        let pack = manifest.assets[0]
        let matrix = try #require(pack.matrix)
        #expect(matrix.axes.map(\.name.value) == ["animal", "mood"])
        #expect(matrix.axes[0].values.map(\.value) == ["corgi", "cat", "fox"])
        #expect(matrix.exclude.first?.values.mapValues(\.value) == ["animal": "fox", "mood": "sleepy"])

        let hero = manifest.assets[1]
        #expect(hero.steps.map(\.name.value) == ["backdrop", "final", "thumb"])
        #expect(hero.steps.map(\.kind) == [.generate, .edit, .derive])
        let final = hero.steps[1]
        #expect(final.images.map(\.value) == [.file("inputs/product.png"), .reference("backdrop", step: nil)])
        #expect(final.mask?.value == .file("inputs/hero-mask.png"))
        #expect(final.output?.value == "hero/hero.png")
        let thumb = hero.steps[2]
        #expect(thumb.from?.value == .reference("final", step: nil))
        #expect(thumb.derive == DeriveSpec(resize: ResizeSpec(width: 512, height: nil), format: .jpeg, quality: 85))
        #expect(hero.steps[0].parameters.size == .fixed(width: 1536, height: 1024))
        #expect(hero.steps[0].output == nil)
    }

    @Test func locationsPointAtKeys() throws {
        let manifest = try #require(Fixtures.load("good", "example").manifest)
        let hero = try #require(manifest.asset(named: "hero"))
        let backdrop = try #require(hero.step(named: "backdrop"))
        #expect(backdrop.name.location == SourceLocation(file: "example.yaml", line: 23, column: 7))
        #expect(backdrop.parameters.locations["size"]?.line == 23)
        #expect(manifest.defaults.locations["quality"] == SourceLocation(file: "example.yaml", line: 4, column: 35))
        let final = try #require(hero.step(named: "final"))
        #expect(final.location(of: "mask") == SourceLocation(file: "example.yaml", line: 27, column: 11))
    }
}
