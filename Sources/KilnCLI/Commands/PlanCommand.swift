import ArgumentParser
import KilnCore
import KilnPlanner

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the steps a build would run, in order, with dependencies and estimated cost.",
        discussion: """
        Estimates use the token table of the OpenAI contract (docs/openai.md); the placeholder provider costs nothing.

        Examples:
          kiln plan                              # everything in pipelines/
          kiln plan stickers                     # one pipeline
          kiln plan 'stickers/corgi-pack@corgi-*' --provider openai
          kiln plan --json > plan.json
          kiln plan --explain                    # why each step would run (or not)
        """)

    @OptionGroup var selection: SelectionArguments

    @Flag(help: "Print the plan as JSON on stdout.")
    var json = false

    @Flag(help: "For each step: up to date, cached, or why it would run (new step, which field changed from what to what, which input or upstream step changed, salt, cache entry missing).")
    var explain = false

    @OptionGroup var project: ProjectArguments

    func run() async throws {
        if explain {
            guard let inspection = ProjectInspection.inspect(selection.items, provider: selection.provider,
                                                             outputDirectory: project.out, cacheDirectory: project.cacheDir)
            else { throw ExitCode(ExitStatus.invalid.rawValue) }
            Console.out(inspection.explanationText())
            LeftForExit.keep(inspection)
            return
        }
        let outcome = Frontend().plan(selection.items, provider: selection.provider)
        outcome.notices.forEach(Console.err)
        Console.report(outcome.diagnostics)
        guard let plan = outcome.plan else {
            Console.err(Frontend.summary(outcome.diagnostics, manifests: outcome.files))
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
        Console.out(json ? try PlanDocument(plan).json() : PlanFormatter.table(plan))
        LeftForExit.keep(outcome)
    }
}
