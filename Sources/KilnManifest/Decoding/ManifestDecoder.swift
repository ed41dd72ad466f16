import KilnCore
import Yams

/// Walks a composed YAML node tree into a `PipelineManifest`, collecting every problem as a diagnostic
/// instead of stopping at the first. Each key is checked against its `ManifestKeys` table.
final class ManifestDecoder {
    /// One known key of a mapping and its value.
    struct Entry {
        var name: String
        var key: Node
        var value: Node
        var location: SourceLocation
    }

    let file: String
    let lines: [Substring]
    var diagnostics: [Diagnostic] = []
    /// Single-line scalars (prompts, outputs) and the column where their text starts, so template
    /// errors can point at the exact name.
    var textColumns: [SourceLocation: Int] = [:]

    init(file: String, text: String) {
        self.file = file
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(.error(message, at: location))
    }

    func warning(_ message: String, at location: SourceLocation) {
        diagnostics.append(.warning(message, at: location))
    }

    /// How a message names what was written: "a list", "a number", …
    func kind(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch node.tagName {
            case .null: return "empty"
            case .int, .float: return "a number"
            case .bool: return "a boolean"
            default: return "a string"
            }
        }
    }

    func typeError(_ entry: Entry, _ type: KeyType) {
        error("'\(entry.name)' must be \(type.phrase), not \(kind(entry.value))", at: location(entry.value))
    }

    /// The known keys of `node` (which must be a mapping), reporting unknown keys with a hint or a
    /// "did you mean". `isExtra` admits free-form keys (matrix axes).
    func entries(_ node: Node, _ table: KeyTable, in context: String, what: String? = nil, checkRequired: Bool = true,
                 isExtra: (String) -> Bool = { _ in false }) -> [Entry]? {
        guard case let .mapping(mapping) = node else {
            error("\(what ?? context) must be a mapping, not \(kind(node))", at: location(node))
            return nil
        }
        var out = [Entry]()
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                error("keys in \(context) must be names, not \(kind(key))", at: location(key))
                continue
            }
            let name = scalar.string
            if table[name] != nil || isExtra(name) {
                out.append(Entry(name: name, key: key, value: value, location: location(key)))
            } else {
                error(unknownKey(name, table, in: context), at: location(key))
            }
        }
        for name in table.required where checkRequired && !out.contains(where: { $0.name == name }) {
            error("\(context) is missing '\(name)'", at: location(node))
        }
        return out
    }

    func unknownKey(_ name: String, _ table: KeyTable, in context: String) -> String {
        var message = "unknown key '\(name)' in \(context)"
        if let hint = ManifestKeys.hints[name] {
            message += ": \(hint)"
        } else if let best = Suggestions.closest(to: name, in: table.names) {
            message += " (did you mean '\(best)'?)"
        }
        return message
    }

    /// The pairs of a free-form mapping (`assets:`, `vars:`, `presets:`), keys as strings.
    func namedEntries(_ entry: Entry) -> [Entry] {
        guard case let .mapping(mapping) = entry.value else {
            if entry.value.tagName != .null { typeError(entry, .map(of: .string)) }
            return []
        }
        var out = [Entry]()
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                error("names in '\(entry.name)' must be strings, not \(kind(key))", at: location(key))
                continue
            }
            out.append(Entry(name: scalar.string, key: key, value: value, location: location(key)))
        }
        return out
    }
}

extension Node {
    /// The resolved tag (`tag:yaml.org,2002:int`, …); `Tag.name` itself is not public.
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
