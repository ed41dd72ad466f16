import Foundation
import Testing

@Test func validateReportsEveryProblemWithLocationsAndExitsTwo() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    let bad = """
    version: 1
    defaults: { model: dall-e-3 }
    assets:
      a: { prompt: "x {{nope}}", sise: 1024x1024 }
    """
    try Data(bad.utf8).write(to: project.appendingPathComponent("pipelines/bad.yaml"))
    let result = try await KilnProcess.run(["validate"], in: project)
    #expect(result.status == 2)
    let lines = result.stderr.split(separator: "\n").map(String.init)
    #expect(lines.contains { $0.hasPrefix("pipelines/bad.yaml:2:") && $0.contains("retired") })
    #expect(lines.contains { $0.hasPrefix("pipelines/bad.yaml:4:") && $0.contains("'nope'") })
    #expect(lines.contains { $0.hasPrefix("pipelines/bad.yaml:4:") && $0.contains("did you mean 'size'") })
    #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent("outputs").path))
}

@Test func validateAcceptsTheExamples() async throws {
    let result = try await KilnProcess.run(["validate"], in: KilnProcess.repositoryRoot)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("0 errors"))
}

@Test func planJSONIsMachineReadableAndSelectsTargets() async throws {
    let result = try await KilnProcess.run(["plan", "hero", "--json", "--provider", "openai"], in: KilnProcess.repositoryRoot)
    #expect(result.status == 0, "\(result.stderr)")
    let plan = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let steps = try #require(plan["steps"] as? [[String: Any]])
    #expect(steps.map { $0["id"] as? String } == ["hero/hero/backdrop", "hero/hero/final", "hero/hero/thumb"])
    let totals = try #require(plan["totals"] as? [String: Any])
    #expect((totals["estimatedUSD"] as? Double ?? 0) > 0)
}

@Test func unknownTargetExitsTwo() async throws {
    let result = try await KilnProcess.run(["plan", "stikers"], in: KilnProcess.repositoryRoot)
    #expect(result.status == 2)
    #expect(result.stderr.contains("did you mean 'stickers'"))
}

@Test(arguments: [("dot", "digraph kiln {"), ("mermaid", "flowchart LR")])
func graphFormats(format: String, prefix: String) async throws {
    let result = try await KilnProcess.run(["graph", "hero", "--format", format], in: KilnProcess.repositoryRoot)
    #expect(result.status == 0)
    #expect(result.stdout.hasPrefix(prefix))
    #expect(result.stdout.contains("hero/hero/final"))
}

@Test func schemasAreJSONAndTheCommittedOneIsCurrent() async throws {
    let manifest = try await KilnProcess.run(["schema"], in: KilnProcess.repositoryRoot)
    let object = try JSONSerialization.jsonObject(with: Data(manifest.stdout.utf8)) as? [String: Any]
    #expect(object?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
    let committed = try String(contentsOf: KilnProcess.repositoryRoot.appendingPathComponent("docs/kiln.schema.json"),
                               encoding: .utf8)
    #expect(committed == manifest.stdout, "docs/kiln.schema.json is stale: run `kiln schema > docs/kiln.schema.json`")
    let output = try await KilnProcess.run(["schema", "--output-manifest"], in: KilnProcess.repositoryRoot)
    #expect((try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])?["$schema"] != nil)
}

@Test func initScaffoldsAValidProjectAndNeverOverwrites() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-init-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = try await KilnProcess.run(["init"], in: dir)
    #expect(first.status == 0)
    #expect(first.stderr.contains("created  pipelines/example.yaml"))
    let ignore = try String(contentsOf: dir.appendingPathComponent(".gitignore"), encoding: .utf8)
    #expect(ignore.contains("/.kiln/") && !ignore.contains("outputs"), "outputs/ and kiln.lock are meant to be committed")
    #expect(try await KilnProcess.run(["validate"], in: dir).status == 0)
    // The manifest's $schema line resolves in the user's own project, to the schema Kiln prints.
    let example = try String(contentsOf: dir.appendingPathComponent("pipelines/example.yaml"), encoding: .utf8)
    let reference = try #require(example.split(separator: "\n").first?.split(separator: "=").last.map(String.init))
    let schema = try String(contentsOf: dir.appendingPathComponent("pipelines").appendingPathComponent(reference), encoding: .utf8)
    #expect(schema == (try await KilnProcess.run(["schema"], in: dir)).stdout)
    let second = try await KilnProcess.run(["init"], in: dir)
    #expect(second.stderr.contains("kept     pipelines/example.yaml"))
    #expect(try String(contentsOf: dir.appendingPathComponent(".gitignore"), encoding: .utf8) == ignore)
}

@Test func versionAndHelp() async throws {
    #expect(try await KilnProcess.run(["--version"], in: KilnProcess.repositoryRoot).stdout.hasPrefix("0.1.0"))
    for command in ["build", "plan", "validate", "graph", "schema", "init"] {
        let help = try await KilnProcess.run([command, "--help"], in: KilnProcess.repositoryRoot)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Examples:"), "\(command) --help has examples")
    }
}

@Test func buildJSONIsJSONLinesEndingInASummary() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    let result = try await KilnProcess.run(["build", "hero", "--json"], in: project)
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.last == "", "ends with a newline")
    let events = try lines.dropLast().map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
    }
    #expect(events.first?["event"] as? String == "build_started")
    #expect(events.last?["event"] as? String == "summary")
    #expect(events.filter { $0["event"] as? String == "finished" }.count == 3)
    #expect(result.stderr.contains("build succeeded"), "human output goes to stderr")
}

@Test func validateReportsPlanningProblemsOfCleanManifestsBesideAnotherManifestsErrors() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-all-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data("version: 1\nassets:\n  a: { prompt: x, sise: 1 }\n".utf8).write(to: dir.appendingPathComponent("pipelines/a.yaml"))
    // Clean as a manifest; only planning finds that its prompt renders empty.
    try Data("version: 1\nvars: { v: \" \" }\nassets:\n  c: { prompt: \"{{v}}\" }\n".utf8)
        .write(to: dir.appendingPathComponent("pipelines/b.yaml"))
    let result = try await KilnProcess.run(["validate"], in: dir)
    #expect(result.status == 2)
    #expect(result.stderr.contains("pipelines/a.yaml:3:19: error: unknown key 'sise'"), "\(result.stderr)")
    #expect(result.stderr.contains("pipelines/b.yaml:4:16: error: the prompt renders empty"), "\(result.stderr)")
}

/// `--jobs` above a provider's `max_in_flight` is said before the build, with the number that
/// applies and where it is set; at or below it, nothing is said.
@Test func jobsAboveAProvidersMaxInFlightIsNoted() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-jobs-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
    func manifest(_ providers: String) throws {
        try ("version: 1\n" + providers + "assets:\n  logo: { provider: openai, prompt: a logo }\n")
            .write(to: dir.appendingPathComponent("pipelines/a.yaml"), atomically: true, encoding: .utf8)
    }
    try manifest("providers:\n  openai: { max_in_flight: 4 }\n")
    let above = try await KilnProcess.run(["build", "--jobs", "10"], in: dir)
    #expect(above.stderr.contains("note: --jobs 10, but at most 4 openai call(s) run at once (providers.openai.max_in_flight)"),
            "\(above.stderr)")
    let within = try await KilnProcess.run(["build", "--jobs", "4"], in: dir)
    #expect(!within.stderr.contains("note: --jobs"), "\(within.stderr)")
    try manifest("")
    let byDefault = try await KilnProcess.run(["build", "--jobs", "64"], in: dir)
    #expect(byDefault.stderr.contains("at most 16 openai call(s) run at once (providers.openai.max_in_flight, default 16)"),
            "\(byDefault.stderr)")
}
