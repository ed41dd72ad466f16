import Foundation
import KilnCore
import KilnManifest
import Yams

/// `serve.yaml` → `ServeConfig`. Every problem is collected and reported as
/// `serve.yaml:LINE:COL: error: …`, like manifests; unknown keys are refused with the nearest known
/// one. The keys and what each one sets are spelled once, in `ServeConfigKeys`.
public enum ServeConfigLoader {
    /// Reads and checks the file. Throws `ServeConfigError` listing every problem.
    public static func load(path: String) throws -> ServeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServeConfigError(diagnostics: [.error("cannot read the configuration file", at: .init(file: path, line: 1, column: 1))])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ServeConfigError(diagnostics: [.error("the file is not UTF-8 text", at: .init(file: path, line: 1, column: 1))])
        }
        return try parse(text, displayPath: path)
    }

    /// Parses configuration text; `displayPath` names the file in messages.
    public static func parse(_ text: String, displayPath: String) throws -> ServeConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ServeConfigError(diagnostics: [.error("YAML syntax: \(error)", at: .init(file: displayPath, line: 1, column: 1))])
        }
        var reader = ServeConfigReader(file: displayPath)
        var config = ServeConfig()
        if let root {
            reader.read(root, section: ServeConfigKeys.top, into: &config, path: "")
        }
        reader.checkAll(config)
        guard reader.diagnostics.isEmpty else { throw ServeConfigError(diagnostics: reader.diagnostics) }
        return config
    }
}

/// Every problem found in a configuration file, each located.
public struct ServeConfigError: Error, CustomStringConvertible, Sendable {
    public var diagnostics: [Diagnostic]
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Walks the node tree against the key tables, collecting diagnostics.
struct ServeConfigReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func error(_ message: String, at node: Node) {
        diagnostics.append(.error(message, at: location(node)))
    }

    mutating func read(_ node: Node, section: [ServeConfigKeys.Key], into config: inout ServeConfig, path: String) {
        guard let mapping = node.mapping else {
            error("\(path.isEmpty ? "the configuration" : "'\(path)'") must be a mapping of keys to values", at: node)
            return
        }
        let names = section.map(\.name)
        for (keyNode, value) in mapping {
            let name = keyNode.string ?? ""
            let full = path.isEmpty ? name : path + "." + name
            guard let key = section.first(where: { $0.name == name }) else {
                let hint = Suggestions.closest(to: name, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                error("unknown key '\(full)'\(hint)", at: keyNode)
                continue
            }
            switch key.kind {
            case let .section(keys): read(value, section: keys, into: &config, path: full)
            case let .value(apply):
                if let problem = apply(&config, value) { error("'\(full)' \(problem)", at: value) }
            }
        }
    }

    /// Checks across keys, once every value is read.
    mutating func checkAll(_ config: ServeConfig) {
        let at = SourceLocation(file: file, line: 1, column: 1)
        if !["openai", "placeholder"].contains(config.provider) {
            diagnostics.append(.error("provider must be openai or placeholder, not '\(config.provider)'", at: at))
        }
        if let base = config.baseURL, let problem = BaseURLRule.problem(base) {
            diagnostics.append(.error("base_url must be an http:// or https:// URL like https://api.openai.com/v1, but it \(problem)", at: at))
        }
        var names = Set<String>()
        for token in config.tokens where !names.insert(token.name).inserted {
            diagnostics.append(.error("tokens: the name '\(token.name)' is used twice", at: at))
        }
    }
}
