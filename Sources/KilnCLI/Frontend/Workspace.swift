import Foundation
import KilnCore
import KilnManifest
import KilnPlanner

/// The files and choices one CLI invocation works on: which manifests, which targets, which
/// provider. All of the front end's logic lives here (and not in the commands) so tests can call it.
public struct Workspace: Sendable {
    /// The directory relative paths are read from (the current directory).
    public var root: URL
    public var environment: [String: String]

    public init(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.root = root
        self.environment = environment
    }

    /// The folder `kiln` reads when no manifest is named.
    public static let defaultPipelines = "pipelines"

    /// Splits `kiln build [PATHS…] [TARGETS…]`: an argument naming an existing file or folder, or
    /// ending in `.yaml`/`.yml`, is a path; anything else is a target.
    public func split(_ arguments: [String]) -> (paths: [String], targets: [String]) {
        var paths = [String](), targets = [String]()
        for argument in arguments {
            let isYAML = argument.hasSuffix(".yaml") || argument.hasSuffix(".yml")
            if isYAML || FileManager.default.fileExists(atPath: url(argument).path) {
                paths.append(argument)
            } else {
                targets.append(argument)
            }
        }
        return (paths, targets)
    }

    func url(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }

    /// The manifest files named by `paths` (files, or folders whose `*.yaml`/`*.yml` are read),
    /// or every manifest in `pipelines/` when none is named; sorted, as display paths.
    public func manifestFiles(_ paths: [String]) -> (files: [String], diagnostics: [Diagnostic]) {
        let fm = FileManager.default
        var files = [String](), diagnostics = [Diagnostic]()
        for path in paths.isEmpty ? [Self.defaultPipelines] : paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url(path).path, isDirectory: &isDirectory) else {
                let hint = paths.isEmpty ? " (run `kiln init` to create one, or name manifests on the command line)" : ""
                diagnostics.append(.error("no such file or folder '\(path)'\(hint)", at: nil))
                continue
            }
            guard isDirectory.boolValue else { files.append(path); continue }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            let all = (try? fm.contentsOfDirectory(atPath: url(path).path)) ?? []
            let names = all.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            for name in all.sorted() where !names.contains(name) {
                let lower = name.lowercased()
                guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else { continue }
                let fixed = name.dropLast(lower.hasSuffix(".yaml") ? 5 : 4) + (lower.hasSuffix(".yaml") ? ".yaml" : ".yml")
                diagnostics.append(.warning("'\(prefix)\(name)' is not read: Kiln reads *.yaml and *.yml in lower case; rename it to '\(fixed)'",
                                            at: SourceLocation(file: prefix + name, line: 1, column: 1)))
            }
            if names.isEmpty { diagnostics.append(.error("no manifests (*.yaml) in '\(path)'", at: nil)) }
            files += names.map { prefix + $0 }
        }
        return (Array(Set(files)).sorted(), diagnostics)
    }

    /// Loads and validates every manifest; every problem is collected. Two files with the same
    /// pipeline name are an error: step ids would collide.
    /// `clean`: the manifests that loaded without an error (they can be planned while others are fixed).
    public func load(_ files: [String]) -> (manifests: [PipelineManifest], diagnostics: [Diagnostic], clean: [PipelineManifest]) {
        var manifests = [PipelineManifest](), diagnostics = [Diagnostic](), seen = [String: String](), clean = [PipelineManifest]()
        for file in files {
            let result = ManifestLoader.load(fileAt: url(file), displayPath: file)
            diagnostics += result.diagnostics
            guard let manifest = result.manifest else { continue }
            if !result.diagnostics.hasErrors { clean.append(manifest) }
            if let other = seen[manifest.pipeline] {
                diagnostics.append(.error("pipeline '\(manifest.pipeline)' is defined twice (\(other) and \(file)): rename one file",
                                          at: manifest.location))
                continue
            }
            seen[manifest.pipeline] = file
            manifests.append(manifest)
        }
        let kept = Set(manifests.map(\.path))
        return (manifests, diagnostics.sortedBySource(), clean.filter { kept.contains($0.path) })
    }
}
