import ArgumentParser

struct AdoptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Record existing image files as the results of generate and edit steps, without calling a provider.",
        discussion: """
        For hand-made or earlier art, or outputs kept after a prompt's typo was fixed. Only the generate and edit steps the targets name (with an output file) are adopted; a derive is redone from them locally. Each file is read at the step's output path under the output folder, or under --from DIR. Every file must decode and match its step's format, size (any size the model makes when size is auto) and alpha (background: transparent), else nothing is recorded. The files are stored in the cache under the steps' current keys, marked adopted (no request id, no cost), and placed, recorded in kiln.lock and the output manifest as a build would: the next `kiln build`, and `kiln build --locked`, find them. No API key is needed, and none is used. A later change to a step's prompt or parameters makes a new key: the adopted file no longer applies. Exit status: 0 adopted, 1 recording failed part way, 2 nothing adopted (no target, nothing adoptable, a file refused, an invalid manifest).

        Examples:
          kiln adopt icons/ui@home             # keep outputs/icons/ui/home.png
          kiln adopt icons --from art          # art/icons/ui/home.png, …
          kiln adopt hero/hero/final --provider openai
        """)

    @OptionGroup var selection: SelectionArguments

    @Option(help: ArgumentHelp("Read each file at its output path under DIR (laid out like outputs/) instead of under the output folder.",
                               valueName: "DIR"))
    var from: String?

    @OptionGroup var project: ProjectArguments

    func run() async throws {
        let status = await AdoptSession(selection: selection, paths: project, from: from).run(keep: LeftForExit.keep)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
