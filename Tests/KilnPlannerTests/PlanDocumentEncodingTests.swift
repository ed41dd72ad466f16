import Foundation
import KilnCore
import KilnManifest
@testable import KilnPlanner
import Testing

/// `PlanDocument.json()` is written by hand for speed; it must give exactly the bytes of the
/// canonical `JSONEncoder` encoding, whatever the plan holds.
@Suite struct PlanDocumentEncodingTests {
    func canonical(_ document: PlanDocument) throws -> String {
        try CanonicalJSON.string(document, pretty: true) + "\n"
    }

    func full(usd: Double) -> PlannedStep {
        let id = StepID(pipeline: "p", asset: "a", variant: "v10", step: "s")
        let up = StepID(pipeline: "p", asset: "a", variant: "v10", step: "up")
        return PlannedStep(
            id: id, aliases: [StepID(pipeline: "p", asset: "b", variant: nil, step: "s")], kind: .edit,
            provider: "openai", model: "gpt-image-1.5",
            prompt: "a \"fox\" \\ on /snow/\n\ttabbed \u{1}\u{1b} é 🦊 \u{7f}",
            parameters: ImageParameters(size: .fixed(width: 1536, height: 1024), quality: .high, background: .transparent,
                                        format: .webp, compression: 70, moderation: .low, n: 2, inputFidelity: .high,
                                        user: "team \"a\""),
            inputs: [.file(path: "pipelines/in/a b.png", digest: String(repeating: "ab", count: 32)), .step(up)],
            mask: .file(path: "m.png", digest: String(repeating: "cd", count: 32)),
            derive: DeriveOperations(crop: CropSpec(x: 4, y: nil, width: 100, height: 50),
                                     resize: ResizeSpec(width: 64, height: nil, fit: .cover, upscale: true),
                                     pad: Insets(top: 1, right: 2, bottom: 3, left: 4), background: RGBAColor("#ff000080"),
                                     format: .jpeg, quality: 85, strip: false),
            outputs: [StepOutput(path: "x/y-1.webp", owner: id, index: 0), StepOutput(path: "x/y-2.webp", owner: id, index: 1)],
            dependencies: [up], salt: "2", candidate: 3, reroll: "9f3a61c0",
            // "e\u{301}" (decomposed é) sorts before "f" in UTF-8 bytes, after it as a String.
            variantValues: ["b": "2", "a": "1", "v10": "x", "v9": "y", "e\u{301}": "w", "f": "v", "_u": "q", "Z": "u"],
            cacheKey: String(repeating: "0f", count: 32),
            estimate: CostEstimate(inputTokens: 12, outputTokens: 3456, usd: usd))
    }

    @Test func everyFieldSetAndNoneSetEncodeAsJSONEncoderDoes() throws {
        var plan = Plan(steps: [full(usd: 0.16646), PlannedStep(id: StepID(pipeline: "p", asset: "c", variant: nil, step: "d"),
                                                               kind: .derive, cacheKey: "k")])
        plan.warnings = [.warning("a \"warning\"\n", at: SourceLocation(file: "p.yaml", line: 2, column: 3))]
        let document = PlanDocument(plan)
        #expect(try document.json() == canonical(document))
        #expect(try PlanDocument(Plan(steps: [])).json() == canonical(PlanDocument(Plan(steps: []))))
    }

    @Test func costsPrintAsJSONEncoderPrintsThem() throws {
        for usd in [0, 1, 0.01, 1e-05, 0.1 + 0.2, 12.5, 123456789.125, 2.5e-07, 1e21] {
            let document = PlanDocument(Plan(steps: [full(usd: usd)]))
            #expect(try document.json() == canonical(document), "usd \(usd)")
        }
    }

    @Test func aCostThatIsNotFiniteIsRefusedAsBefore() {
        #expect(throws: EncodingError.self) { try PlanDocument(Plan(steps: [full(usd: .nan)])).json() }
    }

    @Test func theExamplePipelinesEncodeAsJSONEncoderDoes() throws {
        for pipeline in ["stickers", "hero", "posters", "icons"] {
            let file = repositoryRoot.appendingPathComponent("pipelines/\(pipeline).yaml")
            let manifest = try #require(ManifestLoader.load(fileAt: file, displayPath: "pipelines/\(pipeline).yaml").manifest)
            let document = PlanDocument(try Planner.plan([manifest], options: PlannerOptions(defaultProvider: "openai")))
            #expect(try document.json() == canonical(document), "pipelines/\(pipeline).yaml")
        }
    }

    @Test func everyStoredPropertyOfAStepIsWritten() {
        // A property added to PlannedStep must get a line in PrettyJSONWriter.value(_: PlannedStep).
        #expect(Mirror(reflecting: full(usd: 0)).children.count == PrettyJSONWriter.plannedStepFieldsWritten)
    }
}
