/// What a path Kiln writes or reads must be: text without control characters, and names short
/// enough for the filesystem once Kiln's temp-file name is added.
public enum PathRules {
    /// The longest file or folder name most Linux and macOS filesystems take, in bytes.
    public static let nameMax = 255
    /// The longest path the kernel takes, in bytes.
    public static let pathMax = 4096
    /// What Kiln adds to a file name while writing it (`.<name>.kiln-<pid>-<n>.tmp`), at most.
    public static let temporaryOverhead = 40

    /// Why `text` cannot be a path or a name (a NUL or another control character), or nil.
    public static func characterProblem(_ text: String) -> String? {
        guard let (offset, scalar) = firstControl(in: text) else { return nil }
        let name = scalar.value == 0 ? "a NUL character" : "a control character (\(code(scalar)))"
        return "contains \(name) at character \(offset + 1): paths and names must be plain text"
    }

    /// The first control character of `text` and its 0-based position in Unicode scalars.
    public static func firstControl(in text: String) -> (offset: Int, scalar: Unicode.Scalar)? {
        guard !isPrintableASCII(text) else { return nil }
        return text.unicodeScalars.enumerated().first { isControl($0.element) }.map { ($0.offset, $0.element) }
    }

    /// `U+001B`.
    public static func code(_ scalar: Unicode.Scalar) -> String {
        "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
    }

    /// Whether every byte is printable ASCII, so no character is a control: most paths and names,
    /// found without walking Unicode scalars (the planner asks for every input and output path).
    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// C0 and C1 controls and DEL (tab included: it has no place in a file name or a header).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `text` with control characters shown as `\u{…}`, for messages; those in `keeping` (a
    /// message's own newlines and tabs) stay as they are.
    public static func visible(_ text: String, keeping: Set<Unicode.Scalar> = []) -> String {
        guard !isPrintableASCII(text), text.unicodeScalars.contains(where: { isControl($0) && !keeping.contains($0) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) && !keeping.contains(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Why the relative `path` (under the absolute `root`, when known) is too long for the
    /// filesystem, or nil.
    public static func lengthProblem(_ path: String, under root: String?) -> String? {
        let total = (root.map { $0.utf8.count + 1 } ?? 0) + path.utf8.count + temporaryOverhead
        // No component can be longer than the whole path: most paths need no splitting.
        if path.utf8.count <= nameMax - temporaryOverhead && total <= pathMax { return nil }
        let parts = path.split(separator: "/")
        for (index, part) in parts.enumerated() {
            let isFile = index == parts.count - 1
            let limit = isFile ? nameMax - temporaryOverhead : nameMax
            if part.utf8.count > limit {
                let what = isFile ? "file name" : "folder name"
                let why = isFile ? " (the filesystem takes \(nameMax), and Kiln writes through a temp name up to \(temporaryOverhead) bytes longer)" : ""
                return "the \(what) '\(part.prefix(40))…' is \(part.utf8.count) bytes; the limit is \(limit)\(why): shorten it"
            }
        }
        if total > pathMax {
            return "the full path would be \(total) bytes; the system's limit is \(pathMax): shorten it"
        }
        return nil
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
