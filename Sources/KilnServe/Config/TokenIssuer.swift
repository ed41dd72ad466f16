import Foundation
import KilnCore

/// `kiln serve token new NAME`: makes a token, appends its hash to the configuration file and
/// returns the token (printed once, never stored). The file keeps everything else as written
/// (comments, order, spacing): the entry is inserted as text, the result is loaded again before
/// it replaces the file (atomically), and nothing is written when it would not load.
public enum TokenIssuer {
    public static func issue(name: String, configPath: String) throws -> String {
        guard TokenHash.isValidName(name) else {
            throw TokenIssueError("a token name is letters, digits, '-', '_' or '.', up to 64 characters: '\(name)' is not")
        }
        let existing = FileManager.default.contents(atPath: configPath).flatMap { String(data: $0, encoding: .utf8) } ?? ""
        if !existing.isEmpty {
            let config = try ServeConfigLoader.parse(existing, displayPath: configPath)
            if config.tokens.contains(where: { $0.name == name }) {
                throw TokenIssueError("\(configPath) already has a token named '\(name)': remove its entry first to replace it")
            }
        }
        let token = TokenHash.newToken()
        let updated = inserting(name: name, hash: TokenHash.hash(token), into: existing)
        let check = try ServeConfigLoader.parse(updated, displayPath: configPath)
        guard check.tokens.contains(where: { $0.name == name }) else {
            throw TokenIssueError("could not add the token to \(configPath): its 'tokens:' entry is not a block list; add it by hand")
        }
        try AtomicFile.write(Data(updated.utf8), toPath: configPath)
        return token
    }

    /// The text with one more `tokens:` entry: after the last entry of an existing block list, or
    /// a new block at the end.
    static func inserting(name: String, hash: String, into text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let entry = { (indent: String) in ["\(indent)- name: \(name)", "\(indent)  sha256: \(hash)"] }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("tokens:") }) else {
            return (lines + ["tokens:"] + entry("  ")).joined(separator: "\n") + "\n"
        }
        let rest = lines[start].dropFirst("tokens:".count).trimmingCharacters(in: .whitespaces)
        if rest == "[]" {
            lines[start] = "tokens:"
            lines.insert(contentsOf: entry("  "), at: start + 1)
            return lines.joined(separator: "\n") + "\n"
        }
        var end = start + 1
        var indent = "  "
        var sawItem = false
        while end < lines.count, isBlockLine(lines[end]) || lines[end].trimmingCharacters(in: .whitespaces).isEmpty {
            let trimmed = lines[end].drop { $0 == " " }
            if !sawItem, trimmed.hasPrefix("-") {
                indent = String(lines[end].prefix { $0 == " " })
                sawItem = true
            }
            end += 1
        }
        while end > start + 1, lines[end - 1].trimmingCharacters(in: .whitespaces).isEmpty { end -= 1 }
        lines.insert(contentsOf: entry(indent), at: end)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func isBlockLine(_ line: String) -> Bool {
        line.hasPrefix(" ") || line.hasPrefix("-") || line.hasPrefix("#")
    }
}

public struct TokenIssueError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
