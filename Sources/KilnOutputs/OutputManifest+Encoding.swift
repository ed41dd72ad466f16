import Foundation
import KilnCore

extension OutputManifest {
    /// The manifest as written: canonical, pretty, with a trailing newline — the same bytes
    /// `CanonicalJSON.encode(self, pretty: true)` gives, assembled from one entry per file and
    /// step. The engine does not call this: it writes each file's entry while the build runs and
    /// calls `assemble` at the end.
    public func encoded() throws -> Data {
        try Self.assemble(files: files.map { EntryText(path: $0.path, text: $0.entryText(depth: 2)) },
                          steps: steps, totals: totals, version: version)
    }

    /// One file's entry, indented to sit in `files` as it is: written by `File.entryText(depth: 2)`,
    /// or copied from an earlier manifest (see `EarlierManifest`).
    package struct EntryText {
        package var path: String
        package var text: Data

        package init(path: String, text: Data) {
            self.path = path
            self.text = text
        }
    }

    /// The manifest's bytes from its parts; files are sorted by path here, `steps` must be sorted.
    package static func assemble(files: [EntryText], steps: [Step], totals: Totals, version: Int = currentVersion) throws -> Data {
        let sorted = files.sorted { $0.path < $1.path }
        let stepTexts = try steps.map { try CanonicalJSON.encode($0, pretty: true) }
        var out = Data()
        out.reserveCapacity(sorted.reduce(0) { $0 + $1.text.count + 64 } + 4096)
        out.append(contentsOf: Array("{\n  \"files\" : ".utf8))
        appendArray(count: sorted.count, to: &out) { i, out in out.append(sorted[i].text) }
        out.append(contentsOf: Array(",\n  \"steps\" : ".utf8))
        appendArray(count: stepTexts.count, to: &out) { i, out in appendIndented(stepTexts[i], depth: 2, to: &out) }
        out.append(contentsOf: Array(",\n  \"totals\" : ".utf8))
        appendIndented(try CanonicalJSON.encode(totals, pretty: true), depth: 1, to: &out)
        out.append(contentsOf: Array(",\n  \"version\" : \(version)\n}\n".utf8))
        return out
    }

    /// `[` `count` elements at depth 2 `]`, formatted as `JSONEncoder`'s pretty printer does (an
    /// empty array spans a blank line); `element` appends the i-th element's text.
    private static func appendArray(count: Int, to out: inout Data, _ element: (Int, inout Data) -> Void) {
        out.append(contentsOf: Array("[\n".utf8))
        for i in 0..<count {
            if i > 0 { out.append(contentsOf: Array(",\n".utf8)) }
            out.append(contentsOf: Array("    ".utf8))
            element(i, &out)
        }
        out.append(contentsOf: Array("\n  ]".utf8))
    }

    /// A pretty-printed value nested `depth` levels deep: every line after the first moves right
    /// by two spaces a level, except the blank line inside an empty array or object. JSON strings
    /// hold no raw newline, so each newline byte starts a line.
    private static func appendIndented(_ value: Data, depth: Int, to out: inout Data) {
        let indent = [UInt8](repeating: 0x20, count: depth * 2)
        value.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var lineStart = 0
            while lineStart < bytes.count,
                  let found = memchr(base + lineStart, 0x0A, bytes.count - lineStart) {
                let newline = base.distance(to: UnsafeRawPointer(found))
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart...newline]))
                if newline + 1 < bytes.count && bytes[newline + 1] != 0x0A { out.append(contentsOf: indent) }
                lineStart = newline + 1
            }
            if lineStart < bytes.count {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[lineStart...]))
            }
        }
    }
}
