// libyaml itself, as Yams builds it. Yams 6.2.2 keeps its event parser private and its composer
// refuses a whole file at the first duplicate key or unknown alias, reporting one position; reading
// the events directly finds every duplicate and alias problem, each where it is written, without
// expanding aliases (so an alias bomb costs nothing to read). KilnManifest reaches CYaml through its
// Yams dependency: libyaml's C API has been stable for years.
import CYaml

/// A 1-based line and column in the manifest text.
struct TextMark: Hashable, Comparable {
    var line: Int
    var column: Int

    init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    init(_ mark: yaml_mark_t) {
        self.init(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    static func < (a: TextMark, b: TextMark) -> Bool { (a.line, a.column) < (b.line, b.column) }
}

/// One parse event, copied out of libyaml into Swift values.
struct YAMLEvent {
    enum Kind: Equatable {
        case documentStart, scalar(String), alias(String), sequenceStart, mappingStart, collectionEnd, other
    }
    var kind: Kind
    var anchor: String?
    /// `'` or `"` for a quoted scalar.
    var quote: Character?
    /// A `[…]` or `{…}` collection.
    var isFlow = false
    var start: TextMark
    var end: TextMark
}

/// The syntax error that stopped libyaml, in its own words (rephrased by `SyntaxMessage`).
struct YAMLSyntaxError {
    var problem: String
    var mark: TextMark
    var context: String?
    var contextMark: TextMark?
}

/// Streams libyaml's events for a UTF-8 text.
enum YAMLEventReader {
    /// Calls `body` with each event, in order, until the stream ends, `body` returns false, or a
    /// syntax error stops libyaml; returns that error.
    static func read(_ text: String, _ body: (YAMLEvent) -> Bool) -> YAMLSyntaxError? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil } // libyaml wants a non-null buffer; no text, no events
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return YAMLSyntaxError(problem: "out of memory", mark: TextMark(line: 1, column: 1))
            }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var raw = yaml_event_t()
                guard yaml_parser_parse(&parser, &raw) == 1 else { return syntaxError(parser) }
                defer { yaml_event_delete(&raw) }
                if raw.type == YAML_STREAM_END_EVENT { return nil }
                if !body(event(raw)) { return nil }
            }
        }
    }

    private static func syntaxError(_ parser: yaml_parser_t) -> YAMLSyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        if parser.error == YAML_READER_ERROR {
            // Not reached for text that passed `ManifestText`; libyaml gives only a byte offset here.
            return YAMLSyntaxError(problem: problem, mark: TextMark(line: 1, column: 1))
        }
        return YAMLSyntaxError(problem: problem, mark: TextMark(parser.problem_mark),
                               context: parser.context.map { String(cString: $0) },
                               contextMark: parser.context == nil ? nil : TextMark(parser.context_mark))
    }

    private static func event(_ raw: yaml_event_t) -> YAMLEvent {
        var out = YAMLEvent(kind: .other, start: TextMark(raw.start_mark), end: TextMark(raw.end_mark))
        switch raw.type {
        case YAML_DOCUMENT_START_EVENT:
            out.kind = .documentStart
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            let value = UnsafeBufferPointer(start: UnsafePointer(scalar.value), count: Int(scalar.length))
            out.kind = .scalar(String(decoding: value, as: UTF8.self))
            out.anchor = string(scalar.anchor)
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: out.quote = "'"
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: out.quote = "\""
            default: break
            }
        case YAML_ALIAS_EVENT:
            out.kind = .alias(string(raw.data.alias.anchor) ?? "")
        case YAML_SEQUENCE_START_EVENT:
            out.kind = .sequenceStart
            out.anchor = string(raw.data.sequence_start.anchor)
            out.isFlow = raw.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
        case YAML_MAPPING_START_EVENT:
            out.kind = .mappingStart
            out.anchor = string(raw.data.mapping_start.anchor)
            out.isFlow = raw.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            out.kind = .collectionEnd
        default:
            break
        }
        return out
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafePointer($0)) }
    }
}
