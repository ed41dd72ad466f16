import ArgumentParser
import KilnCore
import KilnPlanner

struct GraphCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, mermaid
    }

    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the step graph as Graphviz DOT or Mermaid.",
        discussion: """
        Examples:
          kiln graph | dot -Tsvg > graph.svg
          kiln graph hero --format mermaid
        """)

    @OptionGroup var selection: SelectionArguments

    @Option(help: "dot or mermaid.")
    var format: Format = .dot

    func run() async throws {
        let outcome = Frontend().plan(selection.items, provider: selection.provider ?? "placeholder")
        Console.report(outcome.diagnostics)
        guard let plan = outcome.plan else { throw ExitCode(ExitStatus.invalid.rawValue) }
        Console.out(format == .dot ? PlanFormatter.dot(plan) : PlanFormatter.mermaid(plan))
    }
}
