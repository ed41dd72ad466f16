import ArgumentParser

struct RerollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reroll",
        abstract: "Make new candidates for a generate step with `candidates:`; the next build pays only for them.",
        discussion: """
        Records a new salt for each re-rolled candidate under "rerolls" in kiln.lock (part of its cache key), so the next `kiln build` pays for those and nothing else. --keep K keeps candidate K as it is (same key, no call) and picks it; without --keep every candidate is new and the step is unpicked. Old candidates stay in the cache until `kiln cache gc`; restoring kiln.lock brings them back without a call. Exit status: 0 recorded, 2 refused (an unknown target, a step without candidates, --keep out of range), with kiln.lock left as it was.

        Examples:
          kiln reroll icons/app
          kiln reroll icons/app --keep 2
        """)

    @OptionGroup var candidate: CandidateArguments

    @Option(help: ArgumentHelp("Keep this candidate (1–N) and pick it; re-roll the others.", valueName: "K"))
    var keep: String?

    func run() async throws {
        try candidate.run(.reroll(keep: keep))
    }
}
