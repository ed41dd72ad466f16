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

    @Flag(help: "Price every OpenAI step as `kiln build --batch` would pay for it: the Batch API's half price, results within 24 h per wave (steps marked `mode: batch` are priced so without it).")
    var batch = false

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
        guard batch || plan.steps.contains(where: { $0.mode == .batch && Self.isOpenAI($0) }) else {
            Console.out(json ? try PlanDocument(plan).json() : PlanFormatter.table(plan))
            LeftForExit.keep(outcome)
            return
        }
        let (priced, waves) = Self.batchPriced(plan, all: batch)
        Console.out(json ? try PlanDocument(priced).json() : PlanFormatter.table(priced))
        if !json, waves > 0 {
            Console.out("\(batch ? "with --batch: OpenAI steps" : "steps marked `mode: batch`") at the Batch API's half price; \(waves) wave\(waves == 1 ? "" : "s") "
                + "(an edit of a generated image waits for the batch that makes it), each answered within 24 h, "
                + "so everything within \(waves * 24) h at the latest\n")
        }
        LeftForExit.keep(outcome)
    }

    static func isOpenAI(_ step: PlannedStep) -> Bool {
        step.kind.usesProvider && step.provider == "openai"
    }

    /// The plan with each OpenAI step's estimate halved, and how many waves of batches it takes
    /// (the longest chain of OpenAI steps reading one another).
    static func batchPriced(_ plan: Plan, all: Bool = true) -> (Plan, waves: Int) {
        var priced = plan
        var wave = [StepID: Int]()
        for i in priced.steps.indices {
            let step = priced.steps[i]
            let upstream = step.dependencies.compactMap { wave[$0] }.max() ?? 0
            // Candidates are sent directly, at the full price, even in batch mode.
            let paid = isOpenAI(step) && (all || step.mode == .batch) && step.candidate == nil
            wave[step.id] = upstream + (paid ? 1 : 0)
            for alias in step.aliases { wave[alias] = wave[step.id] }
            if paid {
                priced.steps[i].estimate?.usd *= 0.5
                priced.steps[i].mode = .batch
            } else if isOpenAI(step) {
                priced.steps[i].mode = nil   // a candidate: sent directly
            }
        }
        return (priced, wave.values.max() ?? 0)
    }
}

