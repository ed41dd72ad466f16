import ArgumentParser

/// `kiln`: builds image assets from YAML manifests, the way make builds code.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct Kiln: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Build image assets from YAML manifests, the way make builds code.",
        discussion: """
        Manifests live in pipelines/*.yaml. Start with `kiln init`, check with `kiln validate`, see what would run and cost with `kiln plan`, then `kiln build`; `kiln status` says what is out of date and why. Docs: docs/manifest.md (the manifest language), docs/cli.md (commands).
        """,
        version: version,
        subcommands: [InitCommand.self, ValidateCommand.self, PlanCommand.self, GraphCommand.self,
                      BuildCommand.self, StatusCommand.self, CleanCommand.self, CacheCommand.self,
                      SchemaCommand.self])

    public init() {}
}

/// PATHS and TARGETS, shared by validate, plan, graph and build.
struct SelectionArguments: ParsableArguments {
    @Argument(help: ArgumentHelp(
        "Manifest files or folders (default: pipelines/*.yaml), then targets: a pipeline, pipeline/asset, pipeline/asset@variant, a step id, or a glob.",
        valueName: "paths-and-targets"))
    var items: [String] = []

    @Option(help: "Use this provider for every step (openai, placeholder). Default: openai when OPENAI_API_KEY is set, else placeholder.")
    var provider: String?
}
