import ArgumentParser
import Foundation

struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove files in outputs/ that no current step produces.",
        discussion: """
        Plans every manifest in pipelines/ and removes each file under the output folder that no step writes (the output manifest is kept), listing each one. Refuses to run when a manifest has errors: a broken plan would call everything stale. Empty folders left behind are removed too.

        Examples:
          kiln clean --dry-run      # list what would go
          kiln clean
        """)

    @OptionGroup var project: ProjectArguments

    @Flag(help: "List the files without removing them.")
    var dryRun = false

    func run() async throws {
        guard let inspection = ProjectInspection.inspect([], provider: nil, outputDirectory: project.out,
                                                         cacheDirectory: project.cacheDir)
        else { throw ExitCode(ExitStatus.invalid.rawValue) }
        let cleaner = OutputCleaner(outputDirectory: inspection.project.outputDirectory, plan: inspection.plan)
        let stale = cleaner.strayFiles()
        for path in stale { Console.out((dryRun ? "would remove " : "removed ") + path + "\n") }
        if !dryRun { try cleaner.remove(stale) }
        Console.err(stale.isEmpty ? "nothing to clean" : "\(stale.count) file(s) \(dryRun ? "would be " : "")removed")
    }
}
