import ArgumentParser

/// PATHS and TARGETS, shared by validate, plan, graph and build.
struct SelectionArguments: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Manifest files or folders (default: pipelines/*.yaml), then targets: a pipeline, pipeline/asset, pipeline/asset@variant, a step id, or a glob.",
        valueName: "paths-and-targets"))
    var items: [String] = []

    @Option(help: "Use this provider for every step (openai, placeholder). Default: openai when OPENAI_API_KEY is set, else placeholder.")
    var provider: String?

    func validate() throws {
        if let provider { try ProviderArgument.check(provider) }
    }
}
