import Foundation
import KilnCore
import KilnManifest
import KilnPlanner
import Testing

/// The example pipelines, planned for OpenAI, must match the reviewed JSON in Golden/.
/// After an intended change: `KILN_UPDATE_GOLDEN=1 swift test --filter GoldenPlan`, then review the diff.
@Test(arguments: ["stickers", "hero", "posters", "icons"])
func goldenPlan(pipeline: String) throws {
    let file = repositoryRoot.appendingPathComponent("pipelines/\(pipeline).yaml")
    let loaded = ManifestLoader.load(fileAt: file, displayPath: "pipelines/\(pipeline).yaml")
    #expect(!loaded.diagnostics.hasErrors, "\(loaded.diagnostics)")
    let manifest = try #require(loaded.manifest)
    let plan = try Planner.plan([manifest], options: PlannerOptions(defaultProvider: "openai"))
    let json = try PlanDocument(plan).json()
    let golden = repositoryRoot.appendingPathComponent("Tests/KilnPlannerTests/Golden/\(pipeline).plan.json")
    if ProcessInfo.processInfo.environment["KILN_UPDATE_GOLDEN"] != nil {
        try Data(json.utf8).write(to: golden)
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(json == expected, "plan of pipelines/\(pipeline).yaml differs from \(golden.lastPathComponent)")
}
