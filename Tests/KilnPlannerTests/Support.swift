import Foundation
import KilnCore
import KilnManifest
import KilnPlanner
import Testing

/// The repository root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A scratch folder for one test, removed by the caller.
func scratchDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-planner-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Loads YAML text as `NAME.yaml` in `directory` and plans it; fails the test on any error.
func plan(_ yaml: String, name: String = "p", directory: URL? = nil, targets: [String] = [],
          provider: String = "openai") throws -> Plan {
    let dir = directory?.path ?? repositoryRoot.appendingPathComponent("pipelines").path
    let loaded = ManifestLoader.load(text: yaml, displayPath: "\(name).yaml", directory: dir)
    let errors = loaded.diagnostics.errors
    #expect(errors.isEmpty, "\(errors)")
    let manifest = try #require(loaded.manifest)
    return try Planner.plan([manifest], targets: targets, options: PlannerOptions(defaultProvider: provider))
}

/// Plans YAML expected to fail planning; returns the diagnostics.
func planErrors(_ yaml: String, name: String = "p", directory: URL? = nil) -> [Diagnostic] {
    let dir = directory?.path ?? repositoryRoot.appendingPathComponent("pipelines").path
    let loaded = ManifestLoader.load(text: yaml, displayPath: "\(name).yaml", directory: dir)
    if loaded.diagnostics.hasErrors { return loaded.diagnostics }
    guard let manifest = loaded.manifest else { return loaded.diagnostics }
    do {
        _ = try Planner.plan([manifest], options: PlannerOptions())
        return []
    } catch {
        return error.diagnostics
    }
}

/// Step id (as text) → cache key.
func keys(_ plan: Plan) -> [String: String] {
    var out = [String: String]()
    for step in plan.steps {
        out[step.id.description] = step.cacheKey
        for alias in step.aliases { out[alias.description] = step.cacheKey }
    }
    return out
}
