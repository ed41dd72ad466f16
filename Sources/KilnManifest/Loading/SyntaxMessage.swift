/// Turns libyaml's syntax errors into plain words, placed where the trouble started: an unclosed
/// quote or bracket at its opening, a tab used for indentation at the tab, and the rest (see
/// `SyntaxMessage+Phrases.swift`) at the offending character with what to do about it.
struct SyntaxMessage {
    /// The text's lines as Unicode scalars, split as `TextPosition` counts them.
    let lines: [[Unicode.Scalar]]
    let lastMultilineQuote: YAMLEvent?
    let lastEvent: YAMLEvent?
    /// Where the innermost `[` or `{` still open at the error starts.
    let openFlow: TextMark?

    init(text: String, lastMultilineQuote: YAMLEvent?, lastEvent: YAMLEvent?, openFlow: TextMark?) {
        var lines: [[Unicode.Scalar]] = [[]]
        var position = TextPosition()
        for scalar in text.unicodeScalars {
            let before = position
            position.advance(over: scalar)
            if position.line == before.line, position.column > before.column { lines[lines.count - 1].append(scalar) }
            while lines.count < position.line { lines.append([]) }
        }
        self.lines = lines
        self.lastMultilineQuote = lastMultilineQuote
        self.lastEvent = lastEvent
        self.openFlow = openFlow
    }

    func describe(_ error: YAMLSyntaxError) -> (TextMark, String) {
        let (mark, message) = tab(error) ?? quote(error) ?? flow(error) ?? phrase(error)
        return (isAtEnd(mark) ? endOfText : mark, message)
    }

    /// Just after the last character that is not white space. libyaml places "end of file" on a
    /// line of its own past the text, where an editor cannot jump.
    var endOfText: TextMark {
        guard let last = lastContentLine else { return TextMark(line: 1, column: 1) }
        let content = lines[last].lastIndex { $0 != " " && $0 != "\t" } ?? -1
        return TextMark(line: last + 1, column: content + 2)
    }

    private var lastContentLine: Int? {
        lines.lastIndex { line in line.contains { $0 != " " && $0 != "\t" } }
    }

    /// The character at `mark`, nil past the end of its line.
    func character(at mark: TextMark) -> Unicode.Scalar? {
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let line = lines[mark.line - 1]
        return mark.column >= 1 && mark.column <= line.count ? line[mark.column - 1] : nil
    }

    /// Whether `mark` is past the last character of the text that is not white space.
    func isAtEnd(_ mark: TextMark) -> Bool {
        mark > endOfText || mark == endOfText
    }

    // MARK: - Tabs

    static let tabMessage = "tab used for indentation: YAML indents with spaces only (replace the tab with spaces)"

    /// A tab at the error, or in the indentation of the line of the error or of its context.
    private func tab(_ error: YAMLSyntaxError) -> (TextMark, String)? {
        if character(at: error.mark) == "\t" { return (error.mark, Self.tabMessage) }
        for line in [error.mark.line, error.contextMark?.line].compactMap({ $0 }) where line <= lines.count {
            let indentation = lines[line - 1].prefix { $0 == " " || $0 == "\t" }
            if let column = indentation.firstIndex(of: "\t") {
                return (TextMark(line: line, column: column + 1), Self.tabMessage)
            }
        }
        if error.problem.contains("tab character") { return (error.mark, Self.tabMessage) }
        return nil
    }

    // MARK: - Quotes

    private static func name(of quote: Unicode.Scalar?) -> String {
        quote == "'" ? "single quote (')" : "double quote (\")"
    }

    /// A quoted string that never ends, or one that ran on to a later line and took the next
    /// string's opening quote as its closing one (then the error shows up on that later line).
    private func quote(_ error: YAMLSyntaxError) -> (TextMark, String)? {
        if error.context == "while scanning a quoted scalar", let start = error.contextMark {
            let quote = character(at: start)
            let mark = quote == "'" ? "'" : "\""
            return (start, "unclosed \(Self.name(of: quote)): the string that starts here never ends (add the closing \(mark))")
        }
        if let closed = lastEvent, let quote = closed.quote, closed.start.line == error.mark.line,
           closed.end.line == error.mark.line,
           closed.end <= error.mark, error.context != "while parsing a flow sequence",
           error.context != "while parsing a flow mapping" {
            let inside = quote == "'" ? "write '' for a ' inside single quotes (as in 'it''s')"
                                      : "write \\\" for a \" inside double quotes"
            return (closed.start, "the string quoted here ends at column \(closed.end.column - 1), but more text follows "
                + "on the line: \(inside), or use the other kind of quotes")
        }
        guard let open = lastMultilineQuote, let quote = open.quote,
              error.mark.line == open.end.line || lastEvent?.start == open.start else { return nil }
        return (open.start, "unclosed \(Self.name(of: quote.unicodeScalars.first)) on line \(open.start.line)? "
            + "the string that starts here runs on to line \(open.end.line), where the next \(quote) ends it "
            + "(add the missing \(quote) on line \(open.start.line))")
    }

    // MARK: - Brackets

    /// `[` or `{` that is never closed (reported at the bracket), or closed by the wrong bracket.
    private func flow(_ error: YAMLSyntaxError) -> (TextMark, String)? {
        let isList = error.problem == "did not find expected ',' or ']'"
        guard isList || error.problem == "did not find expected ',' or '}'", let open = error.contextMark else {
            guard let open = openFlow, open.line < error.mark.line, let bracket = character(at: open) else { return nil }
            let (closer, what) = bracket == "[" ? ("]", "list") : ("}", "mapping")
            if isAtEnd(error.mark) {
                return (open, "unclosed '\(bracket)': this \(what) has no closing '\(closer)' "
                    + "(add it, or quote the value if the '\(bracket)' is meant as text)")
            }
            return (open, "unclosed '\(bracket)'? it is still open at line \(error.mark.line), column \(error.mark.column), "
                + "where the YAML stops making sense (add the '\(closer)')")
        }
        let (opener, closer, what) = isList ? ("[", "]", "list") : ("{", "}", "mapping")
        let wrong: Unicode.Scalar = isList ? "}" : "]"
        let openedAt = "line \(open.line), column \(open.column)"
        if character(at: error.mark) == wrong {
            return (error.mark, "'\(wrong)' here closes the '\(opener)' opened at \(openedAt): use '\(closer)'")
        }
        if error.mark.line > open.line || isAtEnd(error.mark) {
            return (open, "unclosed '\(opener)': this \(what) has no closing '\(closer)' "
                + "(add it, or quote the value if the '\(opener)' is meant as text)")
        }
        return (error.mark, "expected ',' or '\(closer)' here, in the \(what) opened at \(openedAt) "
            + "(separate items with ', ', and quote an item that holds quotes or brackets)")
    }
}
