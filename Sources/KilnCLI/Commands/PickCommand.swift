import ArgumentParser

struct PickCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pick",
        abstract: "Choose which candidate of a generate step with `candidates:` is used, recorded in kiln.lock.",
        discussion: """
        The picked candidate is what the step's output and every step reading it use; until a pick, the first is. Only the step's line under "picks" in kiln.lock changes: the next `kiln build` places the picked image from the cache (no provider call: it was paid for when the candidates were built) and redoes what reads it. Exit status: 0 picked, 2 refused (an unknown target, a step without candidates, a number out of range), with kiln.lock left as it was.

        Examples:
          kiln pick icons/app 2
          kiln pick 'stickers/corgi-pack@corgi-happy' 3
        """)

    @OptionGroup var candidate: CandidateArguments

    @Argument(help: ArgumentHelp("The candidate to use, 1–N.", valueName: "K"))
    var number: String

    func run() async throws {
        try candidate.run(.pick(number))
    }
}
