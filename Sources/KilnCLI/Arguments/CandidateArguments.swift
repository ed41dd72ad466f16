import ArgumentParser

/// What `kiln pick` and `kiln reroll` share: the step with candidates, the provider to plan with
/// (as `kiln status` plans), and where the project's files are.
struct CandidateArguments: ParsableArguments {
    @Argument(help: ArgumentHelp("The generate step with candidates: pipeline/asset, asset@variant, or a step id.", valueName: "target"))
    var target: String

    @Option(help: "Plan with this provider (openai, placeholder), as for `kiln status`.")
    var provider: String?

    @OptionGroup var project: ProjectArguments

    func validate() throws {
        if let provider { try ProviderArgument.check(provider) }
    }

    /// Records `change`; throws the exit status when it is not success.
    func run(_ change: CandidateSession.Change) throws {
        let session = CandidateSession(target: target, change: change, provider: provider, paths: project)
        let status = session.run(keep: LeftForExit.keep)
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
