extension SyntaxMessage {
    /// libyaml's other messages in plain words, with what to do; an unknown one keeps libyaml's
    /// problem text, still with its position.
    func phrase(_ error: YAMLSyntaxError) -> (TextMark, String) {
        let at = error.mark
        let context = error.contextMark ?? at
        let start = "line \(context.line), column \(context.column)"
        switch error.problem {
        case "did not find expected key", "did not find expected '-' indicator":
            return (at, notFitting(error, at: at, context: context))
        case "mapping values are not allowed in this context" where continuesValueAbove(at):
            return (at, "this line is indented deeper than the key above, so it reads as more of that key's value, "
                + "where a ':' cannot appear: line it up with the keys above (or quote the value if the ':' is text)")
        case "mapping values are not allowed in this context":
            return (at, "':' here would start a 'key: value' inside a value: quote the value "
                + "(e.g. \"a: b\") if the ':' is part of the text")
        case "could not find expected ':'":
            return (context, "expected ':' after this key: write 'key: value', "
                + "or indent the line if it continues the value above")
        case "block sequence entries are not allowed in this context":
            return (at, "a '- ' list item cannot start here: put the list on the lines below its key, indented")
        case "mapping keys are not allowed in this context":
            return (at, "a '? ' key cannot start here: quote the value if '?' is part of the text")
        case "found character that cannot start any token":
            return (at, cannotStart(character(at: at)))
        case "did not find expected node content":
            return (at, "expected a value here")
        case "did not find expected alphabetic or numeric character":
            let sign = character(at: context).map { String($0) } ?? "&"
            return (context, "'\(sign)' must be followed by a name (letters, digits, '-' or '_'): "
                + "quote the value if the '\(sign)' is part of the text")
        case "found unknown escape character", "found invalid Unicode character escape code",
             "did not find expected hexdecimal number":
            return (at, "bad escape in a double-quoted string: write \\\\ for a backslash, "
                + "or use single quotes, where '\\' is plain text")
        case "found undefined tag handle":
            return (at, "unknown YAML tag: manifests use no tags; quote the value if '!' is part of the text")
        case "did not find expected <document start>":
            return (at, "text after the end of the document: remove it (or the '...' line above it)")
        case "found duplicate %YAML directive", "found duplicate %TAG directive":
            return (at, "this directive appears twice: remove one")
        case "did not find expected comment or line break":
            return (at, "after '|' or '>' only '+', '-', an indentation digit or a comment may follow on the same line")
        default:
            if error.problem.hasPrefix("Maximum nesting level") {
                return (at, "nested too deeply: a manifest needs only a few levels")
            }
            let during = error.context.map { " (\($0) at \(start))" } ?? ""
            return (at, "YAML syntax error: \(error.problem)\(during)")
        }
    }

    /// A line that fits neither the mapping nor the list around it.
    private func notFitting(_ error: YAMLSyntaxError, at: TextMark, context: TextMark) -> String {
        let start = "line \(context.line), column \(context.column)"
        let isList = error.problem.contains("'-'")
        let what = isList ? "list" : "mapping"
        switch character(at: at) {
        case let closer? where closer == "]" || closer == "}":
            return "'\(closer)' here closes nothing: remove it, or add the '\(closer == "]" ? "[" : "{")' it was meant to close"
        case "-" where !isList && at.column == context.column:
            return "a '- ' list item cannot stand among the keys of the mapping that starts at \(start): "
                + "indent it under the key it belongs to"
        default:
            break
        }
        if startsItsLine(at), at.column != context.column {
            return "this line is indented to column \(at.column), which lines up with nothing above: the \(what) "
                + "it is in (from \(start)) has its \(isList ? "items" : "keys") at column \(context.column) (check the indentation)"
        }
        return isList ? "expected '- ' here, in the list that starts at \(start)"
                      : "expected 'key: value' here, in the mapping that starts at \(start) (is a quote or a ':' missing?)"
    }

    /// Whether only spaces come before `mark` on its line.
    func startsItsLine(_ mark: TextMark) -> Bool {
        guard mark.line >= 1, mark.line <= lines.count else { return false }
        return lines[mark.line - 1].prefix(max(0, mark.column - 1)).allSatisfy { $0 == " " }
    }

    /// Whether the line of `mark` is indented deeper than the previous non-blank line, which holds a
    /// 'key: value' (so this line is read as a continuation of that value).
    private func continuesValueAbove(_ mark: TextMark) -> Bool {
        guard mark.line >= 2, mark.line <= lines.count else { return false }
        func indentation(_ line: [Unicode.Scalar]) -> Int { line.prefix { $0 == " " }.count }
        let above = lines[..<(mark.line - 1)].last { line in line.contains { $0 != " " } }
        guard let above, let colon = above.firstIndex(of: ":") else { return false }
        let hasValue = above[(colon + 1)...].contains { $0 != " " }
        return hasValue && indentation(lines[mark.line - 1]) > indentation(above)
    }

    private func cannotStart(_ character: Unicode.Scalar?) -> String {
        switch character {
        case "@":
            return "'@' cannot start an unquoted value: quote it, as in \"@logo\""
        case "`":
            return "'`' cannot start an unquoted value: quote the value"
        case "%":
            return "'%' at the start of a line begins a YAML directive: quote the value if it is text"
        case let character?:
            return "'\(character)' cannot start a value here: quote the value"
        case nil:
            return "unexpected character here: quote the value"
        }
    }
}
