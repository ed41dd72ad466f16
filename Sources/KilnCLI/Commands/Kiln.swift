import ArgumentParser
import Foundation
import KilnCore
import KilnManifest

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
                      BuildCommand.self, StatusCommand.self, ReportCommand.self, AdoptCommand.self,
                      PickCommand.self, RerollCommand.self,
                      CleanCommand.self, CacheCommand.self, BatchCommand.self, SchemaCommand.self, ServeCommand.self])

    public init() {}
}

extension Kiln {
    /// Parses and runs a command. A usage error (an unknown flag, a value out of range) exits 2,
    /// as docs/cli.md promises for invalid arguments, not ArgumentParser's 64.
    public static func runMain() async {
        OpenFileLimit.raise()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.err(fullMessage(for: error))
                Foundation.exit(ExitStatus.invalid.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// `--provider NAME`: one of the providers Kiln has, with "did you mean" for a typo.
enum ProviderArgument {
    static func check(_ name: String) throws {
        guard !ProviderNames.all.contains(name) else { return }
        var message = "--provider must be one of \(ProviderNames.all.joined(separator: ", ")), not '\(name)'"
        if let best = Suggestions.closest(to: name, in: ProviderNames.all) { message += " (did you mean '\(best)'?)" }
        throw ValidationError(message)
    }
}
