import Foundation
import KilnCore
import KilnManifest
import KilnPlanner
import Testing

@Test func shorthandAssetPlansGenerateThenDerives() throws {
    let p = try plan("""
    version: 1
    assets:
      pack:
        preset: sticker
        matrix: { animal: [corgi, cat] }
        prompt: ["a {{animal}} sticker", "thick outline"]
        output: s/{{animal}}.png
        derive:
          - { name: thumb, resize: 256, format: webp, output: "s/t/{{animal}}.webp" }
    """)
    #expect(p.steps.map(\.id.description) == ["p/pack@corgi/main", "p/pack@corgi/thumb", "p/pack@cat/main", "p/pack@cat/thumb"])
    let main = p.steps[0]
    #expect(main.prompt == "a corgi sticker. thick outline.")
    #expect(main.parameters?.background == .transparent)
    #expect(main.parameters?.format == .png)
    #expect(main.outputs.map(\.path) == ["s/corgi.png"])
    #expect(p.steps[1].dependencies == [main.id])
    #expect(p.steps[1].derive?.format == .webp)
    #expect(p.steps[1].derive?.resize == ResizeSpec(width: 256, height: 256, fit: .contain))
}

@Test func sizesExpandToOneDeriveEach() throws {
    let p = try plan("""
    version: 1
    assets:
      app-icon:
        preset: icon
        prompt: "an app icon"
        sizes: [16, 32]
    """)
    #expect(p.steps.map(\.id.step) == ["main", "sizes-16", "sizes-32"])
    #expect(p.steps[1].outputs.map(\.path) == ["p/app-icon/app-icon-16.png"])
    #expect(p.steps[2].derive?.resize?.width == 32)
}

@Test func referencesResolveToTheSameVariantAcrossMatchingMatrices() throws {
    let p = try plan("""
    version: 1
    assets:
      base:
        matrix: { animal: [corgi, cat] }
        prompt: "a {{animal}}"
      framed:
        matrix: { animal: [corgi, cat], frame: [gold, wood] }
        steps:
          edit:
            edit: { images: ["@base"], prompt: "put the {{animal}} in a {{frame}} frame" }
            output: f/{{animal}}-{{frame}}.png
    """)
    let edit = try #require(p.steps.first { $0.id.description == "p/framed@cat-wood/edit" })
    #expect(edit.dependencies.map(\.description) == ["p/base@cat/main"])
}

@Test func referenceToAWiderMatrixIsAmbiguous() {
    let diagnostics = planErrors("""
    version: 1
    assets:
      base:
        matrix: { animal: [corgi, cat] }
        prompt: "a {{animal}}"
      poster:
        steps:
          edit:
            edit: { images: ["@base"], prompt: "a poster" }
    """)
    #expect(diagnostics.contains { $0.message.contains("ambiguous") && $0.location?.line == 9 })
}

@Test func identicalStepsArePlannedOnce() throws {
    let p = try plan("""
    version: 1
    assets:
      a: { prompt: "same prompt", output: a.png }
      b: { prompt: "same   prompt", output: b.png }
    """)
    #expect(p.steps.count == 1)
    #expect(p.steps[0].aliases.map(\.description) == ["p/b/main"])
    #expect(p.steps[0].outputs.map(\.path) == ["a.png", "b.png"])
}

@Test func severalImagesGetNumberedOutputs() throws {
    let p = try plan("""
    version: 1
    assets:
      a: { prompt: "x", n: 3, output: out/a.png }
    """)
    #expect(p.steps[0].outputs.map(\.path) == ["out/a-1.png", "out/a-2.png", "out/a-3.png"])
    #expect(p.steps[0].outputs.map(\.index) == [0, 1, 2])
}

/// The gallery's folder is Kiln's own: no output may be written into it, in any case, directly or
/// through a template; a name that only starts the same way is fine.
@Test func outputsInsideTheGalleryFolderAreRefusedWithTheirLine() {
    let diagnostics = planErrors("""
    version: 1
    assets:
      a: { prompt: "x", output: "kiln-gallery/thumbs/a.png" }
      b:
        matrix: { folder: [Kiln-Gallery] }
        prompt: "y"
        output: "{{folder}}/b.png"
      c: { prompt: "z", output: "kiln-gallery-art/c.png" }
    """)
    #expect(diagnostics.count == 2, "\(diagnostics.map(\.message))")
    #expect(diagnostics.contains { $0.message.contains("'kiln-gallery/thumbs/a.png' is inside the gallery's folder") && $0.location?.line == 3 })
    #expect(diagnostics.contains { $0.message.contains("'Kiln-Gallery/b.png' is inside the gallery's folder") && $0.location?.line == 7 })
}

@Test func twoStepsWritingOneFileIsAnError() {
    let diagnostics = planErrors("""
    version: 1
    assets:
      a:
        matrix: { colour: [red, blue] }
        prompt: "a {{colour}} ball"
        output: ball.png
    """)
    #expect(diagnostics.contains { $0.message.contains("two steps write 'ball.png'") && $0.location?.line == 6 })
}

@Test func matrixValuesCannotEscapeOutputs() {
    let diagnostics = planErrors("""
    version: 1
    assets:
      a:
        matrix: { where: ["../../etc"] }
        prompt: "x"
        output: "{{where}}/x.png"
    """)
    #expect(diagnostics.contains { $0.message.contains("contains '..'") })
}

@Test func targetsKeepDependencies() throws {
    let yaml = try String(contentsOf: repositoryRoot.appendingPathComponent("pipelines/hero.yaml"), encoding: .utf8)
    let p = try plan(yaml, name: "hero", targets: ["hero/hero/thumb"])
    #expect(p.steps.map(\.id.step) == ["backdrop", "final", "thumb"])
    let only = try plan(yaml, name: "hero", targets: ["hero/hero/backdrop"])
    #expect(only.steps.map(\.id.step) == ["backdrop"])
}

@Test func unknownTargetSuggestsAName() throws {
    let yaml = try String(contentsOf: repositoryRoot.appendingPathComponent("pipelines/hero.yaml"), encoding: .utf8)
    #expect(throws: DiagnosticsError.self) { try plan(yaml, name: "hero", targets: ["heroo"]) }
    do {
        _ = try plan(yaml, name: "hero", targets: ["heroo"])
    } catch let error as DiagnosticsError {
        #expect(error.diagnostics.first?.message.contains("did you mean 'hero'") == true)
    }
}

@Test func placeholderCostsNothingButOpenAIIsEstimated() throws {
    let yaml = "version: 1\nassets:\n  a: { prompt: x, quality: medium, size: 1024x1024 }\n"
    let paid = try plan(yaml, provider: "openai")
    let free = try plan(yaml, provider: "placeholder")
    #expect(paid.steps[0].estimate?.outputTokens == 1056)
    #expect((paid.steps[0].estimate?.usd ?? 0) > 0.03)
    #expect(free.steps[0].estimate?.usd == 0)
}

@Test func outputsThroughASymlinkLeavingTheOutputDirectoryAreRefused() throws {
    let root = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let outputs = root.appendingPathComponent("outputs")
    let elsewhere = root.appendingPathComponent("elsewhere")
    try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: outputs.appendingPathComponent("escape"), withDestinationURL: elsewhere)
    try FileManager.default.createDirectory(at: outputs.appendingPathComponent("inside"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(at: outputs.appendingPathComponent("alias"),
                                               withDestinationURL: outputs.appendingPathComponent("inside"))
    let yaml = """
    version: 1
    assets:
      out: { prompt: "a", output: escape/a.png }
      ok: { prompt: "b", output: alias/b.png }
    """
    let loaded = ManifestLoader.load(text: yaml, displayPath: "p.yaml", directory: root.path)
    let manifest = try #require(loaded.manifest)
    let options = PlannerOptions(outputDirectory: outputs.path)
    #expect(throws: DiagnosticsError.self) { try Planner.plan([manifest], options: options) }
    do {
        _ = try Planner.plan([manifest], options: options)
    } catch {
        #expect(error.diagnostics.count == 1, "a symlink that stays inside is fine")
        #expect(error.diagnostics.first?.message.contains("through a symlink") == true)
        #expect(error.diagnostics.first?.location?.line == 3)
    }
}

@Test func inputPathsAreRenderedPerVariant() throws {
    let dir = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("inputs"), withIntermediateDirectories: true)
    let source = try Data(contentsOf: repositoryRoot.appendingPathComponent("pipelines/inputs/product.png"))
    var other = source
    other.append(0)
    try source.write(to: dir.appendingPathComponent("inputs/a.png"))
    try other.write(to: dir.appendingPathComponent("inputs/b.png"))
    let planned = try plan("""
        version: 1
        assets:
          tile:
            matrix: { t: [a, b] }
            steps:
              small:
                derive: { from: "inputs/{{t}}.png", resize: { width: 8 }, format: png }
                output: "tiles/{{t}}.png"
        """, directory: dir)
    let inputs = planned.steps.map { $0.inputs.first?.description }
    #expect(inputs == ["inputs/a.png", "inputs/b.png"])
    #expect(Set(planned.steps.map(\.cacheKey)).count == 2, "each variant reads its own file")
}
