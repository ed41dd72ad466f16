import Foundation
import KilnCore
import KilnPlanner
import Testing

/// A hero-like chain (generate → edit → derive) whose every knob the tests turn.
private func chain(backdropSize: String = "1536x1024", finalPrompt: String = "the product on the backdrop",
                   thumbQuality: Int = 85, salt: String = "1", user: String = "team-a",
                   output: String = "hero/hero.png", mask: String = "inputs/hero-mask.png",
                   model: String = "gpt-image-1.5") -> String {
    """
    version: 1
    defaults: { model: \(model), quality: high, user: \(user) }
    assets:
      hero:
        steps:
          backdrop:
            generate: { prompt: "soft studio backdrop", size: \(backdropSize), salt: "\(salt)" }
          final:
            edit:
              images: [inputs/product.png, "@backdrop"]
              mask: \(mask)
              prompt: "\(finalPrompt)"
              size: 1536x1024
            output: \(output)
          thumb:
            derive: { from: "@final", resize: { width: 512 }, format: jpeg, quality: \(thumbQuality) }
            output: hero/hero-512.jpg
    """
}

@Test func reformattingYAMLChangesNoKey() throws {
    let reference = keys(try plan(chain()))
    let reformatted = """
    # the same manifest, written differently
    assets:
      hero:
        steps:
          thumb:
            output: "hero/hero-512.jpg"
            derive:
              quality: 85
              format: jpeg
              resize:
                width: 512
              from: "@final"
          backdrop:
            generate:
              salt: "1"
              size: "1536x1024"
              prompt: >
                soft   studio
                backdrop
          final:
            output: hero/hero.png
            edit:
              prompt: |
                the product
                  on the backdrop
              size: 1536x1024
              mask: "inputs/hero-mask.png"
              images:
                - inputs/product.png
                - "@backdrop"
    defaults:
      user: team-a
      quality: high
      model: "gpt-image-1.5"
    version: 1
    """
    #expect(keys(try plan(reformatted)) == reference)
}

/// Which steps' keys differ between two plans.
private func changed(_ a: Plan, _ b: Plan) -> Set<String> {
    let ka = keys(a), kb = keys(b)
    return Set(ka.keys.filter { ka[$0] != kb[$0] })
}

@Test func eachParameterChangesExactlyItsStepAndDownstream() throws {
    let base = try plan(chain())
    #expect(changed(base, try plan(chain(backdropSize: "1024x1024"))) == ["p/hero/backdrop", "p/hero/final", "p/hero/thumb"])
    #expect(changed(base, try plan(chain(salt: "2"))) == ["p/hero/backdrop", "p/hero/final", "p/hero/thumb"])
    #expect(changed(base, try plan(chain(finalPrompt: "the product, centred"))) == ["p/hero/final", "p/hero/thumb"])
    #expect(changed(base, try plan(chain(thumbQuality: 70))) == ["p/hero/thumb"])
    #expect(changed(base, try plan(chain(model: "gpt-image-1-mini"))) == ["p/hero/backdrop", "p/hero/final", "p/hero/thumb"])
}

@Test func namesPathsAndUserChangeNoKey() throws {
    let base = try plan(chain())
    #expect(changed(base, try plan(chain(output: "elsewhere/hero.png"))).isEmpty)
    #expect(changed(base, try plan(chain(user: "team-b"))).isEmpty)
    let renamed = try plan(chain().replacingOccurrences(of: "  hero:", with: "  landing:"))
    #expect(Set(keys(renamed).values) == Set(keys(base).values))
}

@Test func inputFileContentIsPartOfTheKey() throws {
    let dir = try scratchDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let inputs = dir.appendingPathComponent("inputs")
    try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
    for name in ["product.png", "hero-mask.png"] {
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("pipelines/inputs/\(name)"),
                                         to: inputs.appendingPathComponent(name))
    }
    let before = try plan(chain(), directory: dir)
    var bytes = try Data(contentsOf: inputs.appendingPathComponent("hero-mask.png"))
    bytes.append(0)   // trailing byte: same image to a decoder, different content
    try bytes.write(to: inputs.appendingPathComponent("hero-mask.png"))
    let after = try plan(chain(), directory: dir)
    #expect(changed(before, after) == ["p/hero/final", "p/hero/thumb"])
}

@Test func providerIsPartOfTheKey() throws {
    let openai = try plan(chain(), provider: "openai")
    let placeholder = try plan(chain(), provider: "placeholder")
    #expect(changed(openai, placeholder) == ["p/hero/backdrop", "p/hero/final", "p/hero/thumb"])
}
