extension YAMLStructureCheck {
    /// A scalar, or the start of a collection: its place as a key or value, its anchor, its size.
    mutating func node(_ event: YAMLEvent, keyName: String?, size: Int) -> Bool {
        if let anchor = event.anchor, case let .scalar(value) = event.kind {
            define(anchor, at: event.start, scalar: value, size: 1)
        }
        noteKey(keyName, at: event.start)
        return size == 0 || add(size, at: event.start, alias: nil)
    }

    mutating func alias(_ name: String, _ event: YAMLEvent) -> Bool {
        guard let anchor = anchors[name] else {
            noteKey(nil, at: event.start)
            if let open = stack.last(where: { $0.anchor == name }) {
                problems.append((event.start, "alias *\(name) is inside the node it names (&\(name) at "
                    + "line \(open.start.line)): an alias cannot refer to itself"))
            } else {
                unresolved.append((name, event.start, Array(anchors.keys)))
            }
            return add(1, at: event.start, alias: nil)
        }
        noteKey(anchor.scalar, at: event.start)
        return add(anchor.size, at: event.start, alias: name)
    }

    /// Records an anchor once its node is complete (YAML lets a later anchor reuse a name).
    mutating func define(_ name: String, at mark: TextMark, scalar: String?, size: Int) {
        anchors[name] = Anchor(mark: mark, scalar: scalar, size: size)
        if firstDefinitions[name] == nil { firstDefinitions[name] = mark }
    }

    /// In a mapping, every other node is a key: a key seen before in the same mapping is a duplicate.
    /// Keys compare by their text, as the decoder reads them ('1' and 1 are the same name there).
    private mutating func noteKey(_ name: String?, at mark: TextMark) {
        guard let last = stack.indices.last, stack[last].isMapping else { return }
        let isKey = stack[last].expectingKey
        stack[last].expectingKey.toggle()
        guard isKey, let name else { return }
        guard let first = stack[last].keys[name] else {
            stack[last].keys[name] = mark
            return
        }
        let whereFirst = first.line == mark.line ? "line \(first.line), column \(first.column)" : "line \(first.line)"
        problems.append((mark, "duplicate key '\(name)' (first at \(whereFirst))"))
    }

    /// Adds a node of `size` expanded nodes to the enclosing collection, and `counted` (the nodes not
    /// counted yet: all of an alias, only the collection itself at its end) to the total; false, with
    /// a problem, past the limit.
    mutating func add(_ size: Int, at mark: TextMark, alias: String?, counted: Int? = nil) -> Bool {
        if let last = stack.indices.last {
            stack[last].size += size
        }
        total += counted ?? size
        guard total > Self.expansionLimit else { return true }
        let what = alias.map { "alias *\($0)" } ?? "this node"
        problems.append((mark, "\(what) makes the manifest more than 100,000 values long once "
            + "aliases are expanded (an alias bomb?): use fewer or smaller aliases"))
        return false
    }

    /// Reports the aliases that never found their anchor.
    mutating func finish() {
        for alias in unresolved {
            if let later = firstDefinitions[alias.name] {
                problems.append((alias.mark, "alias *\(alias.name) is used before its anchor &\(alias.name) "
                    + "(line \(later.line)): YAML reads top to bottom, so move the anchor above its first use"))
            } else {
                let hint = Suggestions.closest(to: alias.name, in: alias.known).map { " (did you mean *\($0)?)" } ?? ""
                problems.append((alias.mark, "unknown alias *\(alias.name): no anchor &\(alias.name) defined before this\(hint)"))
            }
        }
        unresolved = []
    }
}
