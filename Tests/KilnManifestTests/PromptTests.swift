import KilnCore
import KilnManifest
import Testing

@Suite struct PromptTests {
    func prompt(_ yaml: String) throws -> Prompt {
        let result = Fixtures.load("version: 1\nvars: { c: red }\nassets:\n  a:\n    prompt:" + yaml)
        #expect(result.diagnostics.map(\.description) == [])
        return try #require(result.manifest?.assets.first?.steps.first?.prompt)
    }

    @Test func bulletsBecomeSentences() throws {
        let p = try prompt("\n      - a {{c}} kiln\n      - flat,   centered!\n      - no watermark\n")
        #expect(p.parts.map(\.value) == ["a {{c}} kiln", "flat,   centered!", "no watermark"])
        #expect(p.text(rendering: ["c": "red"]) == "a red kiln. flat, centered! no watermark.")
    }

    @Test func oneStringIsNormalisedNotPunctuated() throws {
        let p = try prompt(" |\n      a {{c}}\n        kiln\n")
        #expect(p.text(rendering: ["c": "red"]) == "a red kiln")
    }

    @Test func reformattingChangesNothing() throws {
        let folded = try prompt(" >\n      a red\n      kiln, flat\n")
        let plain = try prompt(" a red kiln, flat\n")
        #expect(folded.text(rendering: [:]) == plain.text(rendering: [:]))
    }
}
