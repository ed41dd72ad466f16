import ArgumentParser
import Foundation

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create pipelines/example.yaml and the .gitignore lines Kiln needs.",
        discussion: """
        Never overwrites a file. Then run `kiln plan` to see what the example would do.

        Examples:
          kiln init
        """)

    func run() async throws {
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for line in try Scaffold.run(in: root) { Console.err(line) }
        Console.err("next: kiln validate && kiln plan")
    }
}
