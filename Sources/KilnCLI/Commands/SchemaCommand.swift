import ArgumentParser
import KilnCore
import KilnEngine
import KilnManifest
import KilnOutputs

struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print a JSON Schema (draft 2020-12): the manifest language, or the output manifest.",
        discussion: """
        Editors with the YAML language server use the manifest schema through the first line of each manifest:
          # yaml-language-server: $schema=../docs/kiln.schema.json

        Examples:
          kiln schema > docs/kiln.schema.json
          kiln schema --output-manifest > docs/output-manifest.schema.json
        """)

    @Flag(help: "The schema of outputs/manifest.json instead (docs/output-manifest.md).")
    var outputManifest = false

    func run() async throws {
        if outputManifest {
            Console.out(try CanonicalJSON.string(OutputManifest.jsonSchema(), pretty: true) + "\n")
        } else {
            Console.out(ManifestSchema.jsonSchema())
        }
    }
}
