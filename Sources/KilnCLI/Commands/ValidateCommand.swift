import ArgumentParser
import KilnCore

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests and report every problem at once; nothing is run or spent.",
        discussion: """
        Problems are printed as `file:line:col: error: message` (editors and CI annotate these). Exit status: 0 when there is no error (warnings allowed), 2 otherwise.

        Examples:
          kiln validate                       # every manifest in pipelines/
          kiln validate pipelines/hero.yaml
        """)

    @OptionGroup var selection: SelectionArguments

    func run() async throws {
        let outcome = Frontend().plan(selection.items, provider: selection.provider ?? "placeholder")
        Console.report(outcome.diagnostics)
        let summary = Frontend.summary(outcome.diagnostics, manifests: outcome.files)
        if outcome.diagnostics.hasErrors {
            Console.err(summary)
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
        Console.err("ok: \(outcome.plan?.steps.count ?? 0) steps; \(summary)")
        LeftForExit.keep(outcome)
    }
}
