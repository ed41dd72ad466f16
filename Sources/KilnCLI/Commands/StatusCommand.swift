import ArgumentParser

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which steps are up to date, which the cache can restore, and which would run — and why.",
        discussion: """
        Like `git status` for assets: compares the manifests with kiln.lock, the files in outputs/ and the cache. Nothing is built or spent. Exit status 0 (2 for an invalid manifest).

        Examples:
          kiln status
          kiln status hero
        """)

    @OptionGroup var selection: SelectionArguments
    @OptionGroup var project: ProjectArguments

    func run() async throws {
        guard let inspection = ProjectInspection.inspect(selection.items, provider: selection.provider,
                                                         outputDirectory: project.out, cacheDirectory: project.cacheDir)
        else { throw ExitCode(ExitStatus.invalid.rawValue) }
        Console.out(inspection.statusText())
        LeftForExit.keep(inspection)
    }
}
