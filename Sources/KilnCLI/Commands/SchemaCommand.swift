import ArgumentParser
import KilnManifest

struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the manifest language.",
        discussion: """
        Editors with the YAML language server use it through the first line of each manifest:
          # yaml-language-server: $schema=../docs/kiln.schema.json

        Examples:
          kiln schema > docs/kiln.schema.json
        """)

    func run() async throws {
        Console.out(ManifestSchema.jsonSchema())
    }
}
