import KilnCore
import Yams

/// Reading typed scalar values, with messages naming the key and what it expects.
extension ManifestDecoder {
    /// YAML's null, without running Yams' regular-expression tag resolution on every scalar (a
    /// 10,000-value matrix axis): an untagged scalar can only be null when spelled like one.
    static func isNull(_ node: Node) -> Bool {
        if case let .scalar(scalar) = node, scalar.tag.description.isEmpty || scalar.tag.description == "!",
           !["", "~", "null", "Null", "NULL"].contains(scalar.string) {
            return false
        }
        return node.tagName == .null
    }

    /// Any non-empty scalar as text (numbers and booleans as written).
    func string(_ entry: Entry) -> Located<String>? {
        guard case let .scalar(scalar) = entry.value, entry.value.tagName != .null else {
            typeError(entry, .string)
            return nil
        }
        return Located(scalar.string, at: location(entry.value))
    }

    /// A string that may hold `{{templates}}`; remembers where its text starts when it fits on one line.
    func text(_ node: Node) -> Located<String>? {
        guard case let .scalar(scalar) = node else { return nil }
        let loc = location(node)
        rememberColumn(of: scalar, at: loc)
        return Located(scalar.string, at: loc)
    }

    func rememberColumn(of scalar: Node.Scalar, at loc: SourceLocation) {
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        guard scalar.style == .plain || quoted || scalar.style == .any, loc.line - 1 < lines.count else { return }
        let column = loc.column + (quoted ? 1 : 0)
        let line = lines[loc.line - 1]
        guard column - 1 <= line.count else { return }
        let rest = line.dropFirst(column - 1)
        if rest.hasPrefix(scalar.string) { textColumns[loc] = column }
    }

    func integer(_ entry: Entry, _ type: KeyType) -> Int? {
        guard case .scalar = entry.value, entry.value.tagName == .int, let value = entry.value.int else {
            if case let .scalar(scalar) = entry.value, [.int, .float].contains(entry.value.tagName) {
                // A number that is no Int (2.5, .inf, 1e30, 20 digits): say it as written.
                error("'\(entry.name)' must be \(type.phrase), not \(scalar.string)", at: location(entry.value))
            } else {
                typeError(entry, type)
            }
            return nil
        }
        if case let .integer(min, max) = type {
            if let min, value < min { rangeError(entry, type, value); return nil }
            if let max, value > max { rangeError(entry, type, value); return nil }
        }
        return value
    }

    private func rangeError(_ entry: Entry, _ type: KeyType, _ value: Int) {
        error("'\(entry.name)' must be \(type.phrase), not \(value)", at: location(entry.value))
    }

    func number(_ entry: Entry, _ type: KeyType) -> Double? {
        let tag = entry.value.tagName
        guard case .scalar = entry.value, tag == .int || tag == .float, let value = entry.value.float else {
            typeError(entry, type)
            return nil
        }
        guard case let .number(minimum, maximum) = type else { return value }
        if !value.isFinite || value > maximum || value <= (minimum ?? -.infinity) || (minimum == nil && value < 0) {
            let written = entry.value.string ?? String(value)
            error("'\(entry.name)' must be \(type.phrase), not \(written)", at: location(entry.value))
            return nil
        }
        return value
    }

    func bool(_ entry: Entry) -> Bool? {
        guard case .scalar = entry.value, entry.value.tagName == .bool, let value = entry.value.bool else {
            typeError(entry, .boolean)
            return nil
        }
        return value
    }

    /// One of the table's allowed values.
    func choice(_ entry: Entry, _ type: KeyType) -> String? {
        guard case let .choice(values) = type, let text = string(entry) else { return nil }
        guard values.contains(text.value) else {
            var message = "'\(entry.name)' must be one of \(values.joined(separator: ", ")), not '\(text.value)'"
            if let best = Suggestions.closest(to: text.value, in: values) { message += " (did you mean '\(best)'?)" }
            error(message, at: text.location)
            return nil
        }
        return text.value
    }

    /// A list of strings (`images`, `env`).
    func stringList(_ entry: Entry) -> [Located<String>]? {
        guard case let .sequence(sequence) = entry.value else {
            typeError(entry, .stringList)
            return nil
        }
        var out = [Located<String>]()
        for item in sequence {
            guard case let .scalar(scalar) = item, item.tagName != .null else {
                error("'\(entry.name)' must be a list of strings; this item is \(kind(item))", at: location(item))
                continue
            }
            out.append(Located(scalar.string, at: location(item)))
        }
        return out
    }

    /// A list of positive integers (`sizes`).
    func integerList(_ entry: Entry) -> [Located<Int>]? {
        guard case let .sequence(sequence) = entry.value else {
            typeError(entry, .integerList(min: 1))
            return nil
        }
        var out = [Located<Int>]()
        for item in sequence {
            guard item.tagName == .int, let value = item.int else {
                error("'\(entry.name)' must be a list of integers; this item is \(kind(item))", at: location(item))
                continue
            }
            guard value > 0, value <= ImageLimits.maxSide else {
                error("'\(entry.name)' values must be 1–\(ImageLimits.maxSide), not \(value)", at: location(item))
                continue
            }
            out.append(Located(value, at: location(item)))
        }
        if out.isEmpty && sequence.isEmpty { error("'\(entry.name)' is empty: list at least one size", at: entry.location) }
        return out
    }

    /// A prompt: a string, or a list of strings (bullets).
    func prompt(_ entry: Entry) -> Prompt? {
        switch entry.value {
        case .scalar where entry.value.tagName != .null:
            guard let part = text(entry.value) else { return nil }
            return checkedPrompt(Prompt(parts: [part]), entry)
        case let .sequence(sequence) where !sequence.isEmpty:
            var parts = [Located<String>]()
            for item in sequence {
                guard case .scalar = item, item.tagName != .null, let part = text(item) else {
                    error("'prompt' bullets must be strings; this one is \(kind(item))", at: location(item))
                    continue
                }
                parts.append(part)
            }
            return checkedPrompt(Prompt(parts: parts), entry)
        default:
            typeError(entry, .prompt)
            return nil
        }
    }

    /// A prompt without templates is checked here; one with templates when it is rendered (plan).
    private func checkedPrompt(_ prompt: Prompt, _ entry: Entry) -> Prompt {
        guard !prompt.parts.contains(where: { $0.value.contains("{{") }) else { return prompt }
        let text = prompt.text(rendering: [:])
        if PromptRules.isBlank(text) {
            error("the prompt is empty (only whitespace or invisible characters): write what to make", at: location(entry.value))
        }
        if let problem = PromptRules.controlProblem(text) {
            error("the prompt \(problem)", at: location(entry.value))
        }
        let length = text.unicodeScalars.count
        if length > PromptRules.maxLength {
            error("the prompt is \(length) characters; the limit is \(PromptRules.maxLength.thousandsGrouped) (Unicode code points)",
                  at: location(entry.value))
        }
        return prompt
    }
}
