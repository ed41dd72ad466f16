import Foundation
import KilnCore
import KilnServe

/// `POST /api/builds` for `kiln serve`: a `kiln build --json` of the served project, its events
/// handed to the server (which streams them) instead of printed.
struct ServeBuilds: ServeBuildRunner {
    let root: URL
    /// `--provider` for the build: the server's when it is the placeholder (a keyless server
    /// builds offline too); nil: the build's own choice (openai when OPENAI_API_KEY is set).
    let provider: String?
    /// The server's remote cache flags (parsed, as every ArgumentParser value must be).
    let remote: RemoteCacheArguments
    /// The server's environment with the key from `api_key_file` and its `base_url`: a build pays
    /// with the server's key, however the server was given it.
    let environment: [String: String]

    func build(target: String?, event: @escaping @Sendable (String) -> Void) async throws -> Int32 {
        // A target is a name, never a flag: it goes after `--`, and only plain text is accepted.
        if let target, target.isEmpty || PathRules.firstControl(in: target) != nil {
            throw ServeSetupError("a target is a pipeline, asset or step name")
        }
        let selection = try SelectionArguments.parse((provider.map { ["--provider", $0] } ?? []) + (target.map { ["--", $0] } ?? []))
        let session = BuildSession(selection: selection, paths: try ProjectArguments.parse([]),
                                   arguments: try BuildArguments.parse(["--json"]), remote: remote)
        let frontend = Frontend(workspace: Workspace(root: root, environment: environment))
        let status = await TerminalProgress.$lineSink.withValue(TerminalProgress.LineSink(send: event)) { await session.run(frontend: frontend) }
        return status.rawValue
    }
}
