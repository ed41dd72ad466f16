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
        var out = Data()
        out.reserveCapacity(preencoded.values.reduce(0) { $0 + $1.count + 16 } + 4096)
        out.append(contentsOf: Array("{\n  \"files\" : ".utf8))
        try Self.appendArray(files.map { file in try preencoded[file.path] ?? file.encodedEntry() }, to: &out)
        out.append(contentsOf: Array(",\n  \"steps\" : ".utf8))
        try Self.appendArray(steps.map { try CanonicalJSON.encode($0, pretty: true) }, to: &out)
        out.append(contentsOf: Array(",\n  \"totals\" : ".utf8))
        Self.appendIndented(try CanonicalJSON.encode(totals, pretty: true), depth: 1, to: &out)
        out.append(contentsOf: Array(",\n  \"version\" : \(version)\n}\n".utf8))
        return out
    }

    /// `[` entries at depth 2 `]`, formatted as `JSONEncoder`'s pretty printer does (an empty
    /// array spans a blank line).
    private static func appendArray(_ entries: [Data], to out: inout Data) throws {
        out.append(contentsOf: Array("[\n".utf8))
        for (i, entry) in entries.enumerated() {
            if i > 0 { out.append(contentsOf: Array(",\n".utf8)) }
            out.append(contentsOf: Array("    ".utf8))
            appendIndented(entry, depth: 2, to: &out)
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

extension OutputManifest.File {
    /// This file's entry in the output manifest, pretty-printed at the top level (see
    /// `OutputManifest.encoded(preencoded:)`).
    public func encodedEntry() throws -> Data {
        try CanonicalJSON.encode(self, pretty: true)
    }
}
