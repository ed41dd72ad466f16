import Foundation
import KilnCore

extension OutputManifest {
    /// The manifest as written: canonical, pretty, with a trailing newline — the same bytes
    /// `CanonicalJSON.encode(self, pretty: true)` gives, assembled from one encoded entry per file
    /// and step.
    ///
    /// Encoding 900 file entries takes ~20 ms on one core, so the engine encodes each step's
    /// entries while the build runs (`File.encodedEntry()`) and passes them in as `preencoded`,
    /// keyed by path; entries not found there are encoded here. An entry given for a path must be
    /// that file's `encodedEntry()`.
    public func encoded(preencoded: [String: Data] = [:]) throws -> Data {
        let texts = try files.map { file in
            EntryText(path: file.path, text: try preencoded[file.path] ?? file.encodedEntry(), nested: false)
        }
        return try Self.assemble(files: texts, steps: steps, totals: totals, version: version)
    }

    /// One file entry's text: encoded at the top level (`File.encodedEntry()`), or `nested` as it
    /// stood in an earlier manifest's `files` (see `EarlierManifest`).
    struct EntryText {
        var path: String
        var text: Data
        var nested: Bool
    }

    /// The manifest's bytes from its parts; files are sorted by path here, `steps` must be sorted.
    static func assemble(files: [EntryText], steps: [Step], totals: Totals, version: Int = currentVersion) throws -> Data {
        let sorted = files.sorted { $0.path < $1.path }
        var out = Data()
        out.reserveCapacity(sorted.reduce(0) { $0 + $1.text.count + 64 } + 4096)
        out.append(contentsOf: Array("{\n  \"files\" : ".utf8))
        appendArray(sorted.map { ($0.text, $0.nested) }, to: &out)
        out.append(contentsOf: Array(",\n  \"steps\" : ".utf8))
        appendArray(try steps.map { (try CanonicalJSON.encode($0, pretty: true), false) }, to: &out)
        out.append(contentsOf: Array(",\n  \"totals\" : ".utf8))
        appendIndented(try CanonicalJSON.encode(totals, pretty: true), depth: 1, to: &out)
        out.append(contentsOf: Array(",\n  \"version\" : \(version)\n}\n".utf8))
        return out
    }

    /// `[` entries at depth 2 `]`, formatted as `JSONEncoder`'s pretty printer does (an empty
    /// array spans a blank line). A nested entry is copied as it is.
    private static func appendArray(_ entries: [(text: Data, nested: Bool)], to out: inout Data) {
        out.append(contentsOf: Array("[\n".utf8))
        for (i, entry) in entries.enumerated() {
            if i > 0 { out.append(contentsOf: Array(",\n".utf8)) }
            out.append(contentsOf: Array("    ".utf8))
            if entry.nested { out.append(entry.text) } else { appendIndented(entry.text, depth: 2, to: &out) }
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
