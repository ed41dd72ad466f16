import Foundation
import KilnManifest

/// `kiln init`: a starter manifest, the JSON Schema editors check it with (beside it, so the
/// manifest's `$schema` line resolves in the user's own project), and the ignore lines a project
/// needs. Never overwrites a manifest; the schema is brought up to date.
public enum Scaffold {
    public static let exampleManifest = """
    # yaml-language-server: $schema=kiln.schema.json
    #
    # A Kiln manifest: `kiln validate` checks it, `kiln plan` shows what it would run and cost,
    # `kiln build` makes the files under outputs/. Every key is documented in docs/manifest.md.
    version: 1

    # Inherited by every step unless the asset or step says otherwise.
    defaults:
      model: gpt-image-1.5
      quality: medium

    # Template values: write {{brand}} in any prompt or output path.
    vars:
      brand: "Acme"

    assets:
      # One image per colour (a matrix), on a transparent background, plus a WebP thumbnail each.
      mascot:
        preset: sticker                  # built-ins: sticker, hero, poster, icon
        matrix:
          colour: [red, blue]
        prompt:
          - "friendly {{brand}} robot mascot, {{colour}} paint, waving"
          - "flat vector, thick white outline, no text"
        output: mascot/{{colour}}.png
        derive:
          - { name: thumb, resize: 256, format: webp, quality: 80, output: "mascot/thumbs/{{colour}}.webp" }

    """

    /// Only Kiln's private state: `outputs/` and `kiln.lock` are meant to be committed, so CI can
    /// prove them with `kiln build --locked` (docs/ci.md).
    public static let ignoreLines = ["/.kiln/"]

    /// Written beside the manifests; their first line points at it.
    public static let schemaFileName = "kiln.schema.json"

    /// What `init` did, one line per file, for the person.
    public static func run(in root: URL) throws -> [String] {
        let fm = FileManager.default
        var report = [String]()
        let pipelines = root.appendingPathComponent(Workspace.defaultPipelines)
        try fm.createDirectory(at: pipelines, withIntermediateDirectories: true)
        let manifest = pipelines.appendingPathComponent("example.yaml")
        if fm.fileExists(atPath: manifest.path) {
            report.append("kept     pipelines/example.yaml (already there)")
        } else {
            try Data(exampleManifest.utf8).write(to: manifest, options: .atomic)
            report.append("created  pipelines/example.yaml")
        }
        let schema = pipelines.appendingPathComponent(schemaFileName)
        let schemaText = ManifestSchema.jsonSchema()
        if (try? String(contentsOf: schema, encoding: .utf8)) == schemaText {
            report.append("kept     pipelines/\(schemaFileName) (current)")
        } else {
            try Data(schemaText.utf8).write(to: schema, options: .atomic)
            report.append("wrote    pipelines/\(schemaFileName) (the JSON Schema editors check manifests with)")
        }
        let ignore = root.appendingPathComponent(".gitignore")
        let existing = (try? String(contentsOf: ignore, encoding: .utf8)) ?? ""
        let present = Set(existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let missing = ignoreLines.filter { !present.contains($0) }
        if missing.isEmpty {
            report.append("kept     .gitignore (has the Kiln lines)")
        } else {
            let prefix = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
            let text = existing + prefix + "# Kiln: built files and the result cache\n" + missing.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: ignore, options: .atomic)
            report.append("updated  .gitignore (+ \(missing.joined(separator: ", ")))")
        }
        return report
    }
}
