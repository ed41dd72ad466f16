import Foundation
import KilnCore
import KilnServe

/// `POST /api/builds` for `kiln serve`: a `kiln build --json` of the served project, its events
/// handed to the server (which streams them) instead of printed.
struct ServeBuilds: ServeBuildRunner {
    let root: URL

    func build(target: String?, event: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        // A target is a name, never a flag: it goes after `--`, and only plain text is accepted.
        if let target, target.isEmpty || PathRules.firstControl(in: target) != nil {
            throw ServeSetupError("a target is a pipeline, asset or step name")
        }
        let selection = try SelectionArguments.parse(target.map { ["--", $0] } ?? [])
        let session = BuildSession(selection: selection, paths: try ProjectArguments.parse([]),
                                   arguments: try BuildArguments.parse(["--json"]))
        let frontend = Frontend(workspace: Workspace(root: root))
        let status = await TerminalProgress.$lineSink.withValue(event) { await session.run(frontend: frontend) }
        return status.rawValue
    }
}
