extension SyntaxMessage {
    /// libyaml's other messages in plain words, with what to do; an unknown one keeps libyaml's
    /// problem text, still with its position.
    func phrase(_ error: YAMLSyntaxError) -> (TextMark, String) {
        let at = error.mark
        let context = error.contextMark ?? at
        let start = "line \(context.line), column \(context.column)"
        switch error.problem {
        case "mapping values are not allowed in this context":
            return (at, "':' here would start a 'key: value' inside a value: quote the value "
                + "(e.g. \"a: b\") if the ':' is part of the text")
        case "did not find expected key" where at.column != context.column:
            return (at, "this line is indented to column \(at.column), which lines up with no key above: "
                + "the mapping it is in (from \(start)) has its keys at column \(context.column) (check the indentation)")
        case "did not find expected key":
            return (at, "expected 'key: value' here, in the mapping that starts at \(start) "
                + "(is a quote or a ':' missing on the line above?)")
        case "did not find expected '-' indicator":
            return (at, "this does not fit the list that starts at \(start): "
                + "expected '- ' at column \(context.column) (check the indentation)")
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
