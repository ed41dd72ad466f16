import Foundation
import KilnCore

/// A string with `{{name}}` placeholders (prompts, output paths).
/// Names: matrix axes, asset and manifest `vars`, declared `{{env.NAME}}`, and the built-ins
/// `pipeline`, `asset`, `variant`, `step`, plus `size` (derive `sizes:`) and `index` (outputs of `n > 1`).
public struct Template: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case text(String)
        /// A variable name and its column offset within the template text.
        case variable(String, offset: Int)
    }

    public var segments: [Segment]

    /// The names the template reads, in order of first use.
    public var variables: [String] {
        var seen = Set<String>(), out = [String]()
        for case let .variable(name, _) in segments where seen.insert(name).inserted { out.append(name) }
        return out
    }

    /// Parses `text`. Throws `TemplateError` for an unclosed `{{` or an empty or malformed name.
    public init(parsing text: String) throws(TemplateError) {
        var segments = [Segment]()
        var rest = Substring(text)
        var offset = 0
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { segments.append(.text(String(rest[..<open.lowerBound]))) }
            let openOffset = offset + rest.distance(from: rest.startIndex, to: open.lowerBound)
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw TemplateError(message: "unclosed '{{' (add '}}')", offset: openOffset)
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingWhitespace()
            guard Template.isValidName(name) else {
                throw TemplateError(message: name.isEmpty ? "empty '{{}}'" : "'\(name)' is not a variable name",
                                    offset: openOffset)
            }
            segments.append(.variable(name, offset: openOffset))
            offset += rest.distance(from: rest.startIndex, to: close.upperBound)
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        self.segments = segments
    }

    /// Letters, digits, `_`, `-`, and one `env.` prefix.
    static func isValidName(_ name: String) -> Bool {
        let body = name.hasPrefix("env.") ? String(name.dropFirst(4)) : name
        guard let first = body.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return body.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
    }

    /// Substitutes every variable; a name missing from `values` is left as written (validation
    /// reports undefined names before rendering).
    public func render(_ values: [String: String]) -> String {
        render { values[$0] }
    }

    /// Substitutes every variable through `lookup` (a name it does not know is left as written).
    public func render(_ lookup: (String) -> String?) -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case let .text(text): out += text
            case let .variable(name, _): out += lookup(name) ?? "{{\(name)}}"
            }
        }
        return out
    }
}

/// A malformed template, with the character offset of the problem within the template.
public struct TemplateError: Error, Sendable, Hashable {
    public var message: String
    public var offset: Int
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension Prompt {
    /// The prompt as sent: bullets become sentences (a `.` is added to a bullet that does not end
    /// in punctuation) joined by spaces; every run of whitespace becomes one space.
    /// Cosmetic reformatting (reflowing, indenting, folded vs literal YAML) changes nothing.
    public func text(rendering values: [String: String]) -> String {
        Prompt.join(parts.map { part in (try? Template(parsing: part.value))?.render(values) ?? part.value })
    }

    /// Joins rendered parts as `text(rendering:)` does; for callers that render parsed templates themselves.
    public static func join(_ renderedParts: [String]) -> String {
        if renderedParts.count == 1 { return normalizeWhitespace(renderedParts[0]) }
        return renderedParts.map(normalizeWhitespace).filter { !$0.isEmpty }.map { bullet in
            guard let last = bullet.unicodeScalars.last, !".,;:!?".unicodeScalars.contains(last) else { return bullet }
            return bullet + "."
        }.joined(separator: " ")
    }

    /// Collapses whitespace runs (spaces, tabs, newlines, Unicode spaces) to one space and trims the ends.
    public static func normalizeWhitespace(_ text: String) -> String {
        // Fast path for ASCII text (almost every prompt): bytes in, bytes out.
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        var pending = false
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 { ascii = false; break }
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pending = !bytes.isEmpty
            } else {
                if pending { bytes.append(0x20) }
                pending = false
                bytes.append(byte)
            }
        }
        if ascii { return String(decoding: bytes, as: UTF8.self) }
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            let isSpace = scalar.isASCII
                ? (scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r" || scalar.value == 0x0B || scalar.value == 0x0C)
                : scalar.properties.isWhitespace
            if isSpace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(scalar)
            }
        }
        return String(out)
    }
}
