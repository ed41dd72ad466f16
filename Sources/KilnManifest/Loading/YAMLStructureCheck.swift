import KilnCore

/// Reads a manifest's YAML events once, before Yams composes it, and reports what the composer would
/// refuse with a single, badly placed message: every duplicate key (at its second occurrence, naming
/// the first), every unknown alias or alias used before its anchor (at the `*name`), a second
/// document, aliases that expand past `expansionLimit` (an alias bomb), and syntax errors in words.
struct YAMLStructureCheck {
    /// The most nodes the document may hold once aliases are expanded. Real manifests hold a few
    /// thousand; a "billion laughs" bomb passes this within a few aliases and is refused there.
    static let expansionLimit = 100_000 // written "100,000" in the message

    struct Frame {
        var isMapping: Bool
        var isFlow: Bool
        var anchor: String?
        var start: TextMark
        var expectingKey = true
        var keys: [String: TextMark] = [:]
        var size = 1
    }

    struct Anchor {
        var mark: TextMark
        var scalar: String?
        var size: Int
    }

    let file: String
    var problems: [(TextMark, String)] = []
    var stack: [Frame] = []
    var anchors: [String: Anchor] = [:]
    /// Where each anchor name is first defined, to tell "used before its anchor" from "unknown".
    var firstDefinitions: [String: TextMark] = [:]
    /// Aliases whose anchor was not defined before them, with the anchors known at that point.
    var unresolved: [(name: String, mark: TextMark, known: [String])] = []
    private var documents = 0
    /// Nodes read so far, counting each alias as the nodes it stands for.
    var total = 0
    /// For `SyntaxMessage`: the last quoted scalar that ran over more than one line, and the last event.
    private(set) var lastMultilineQuote: YAMLEvent?
    private(set) var lastEvent: YAMLEvent?

    init(file: String) {
        self.file = file
    }

    /// Every problem in `text`, sorted by position; empty when Yams can compose it.
    static func check(_ text: String, file: String) -> [Diagnostic] {
        var check = YAMLStructureCheck(file: file)
        let syntax = YAMLEventReader.read(text) { check.take($0) }
        check.finish()
        if let syntax {
            let message = SyntaxMessage(text: text, lastMultilineQuote: check.lastMultilineQuote,
                                        lastEvent: check.lastEvent, openFlow: check.stack.last { $0.isFlow }?.start)
            check.problems.append(message.describe(syntax))
        }
        return check.problems.map { mark, message in
            .error(message, at: SourceLocation(file: file, line: mark.line, column: mark.column))
        }
    }

    /// Takes one event; false stops the reading (a second document, or an alias bomb).
    mutating func take(_ event: YAMLEvent) -> Bool {
        defer { lastEvent = event }
        switch event.kind {
        case .documentStart:
            documents += 1
            guard documents == 1 else {
                problems.append((event.start, "a manifest is one YAML document, but a second one starts here: "
                    + "remove this '---' and what follows, or move it to its own file"))
                return false
            }
        case let .scalar(value):
            if event.quote != nil, event.start.line != event.end.line { lastMultilineQuote = event }
            return node(event, keyName: value, size: 1)
        case let .alias(name):
            return alias(name, event)
        case .sequenceStart, .mappingStart:
            guard node(event, keyName: nil, size: 0) else { return false }
            stack.append(Frame(isMapping: event.kind == .mappingStart, isFlow: event.isFlow, anchor: event.anchor,
                               start: event.start))
        case .collectionEnd:
            guard let frame = stack.popLast() else { return true }
            if let anchor = frame.anchor { define(anchor, at: frame.start, scalar: nil, size: frame.size) }
            return add(frame.size, at: frame.start, alias: nil, counted: 1)
        case .other:
            break
        }
        return true
    }
}
