import Foundation
import KilnCore

/// The file entries of the output manifest an earlier build wrote, read without decoding them:
/// each entry's path, cache key and size, and its exact text. A build carries the entries of the
/// steps it did not run by copying that text, so changing one asset in a project of 10,000 does
/// not decode and re-encode 9,999 entries (~0.6 s with Foundation's JSON coders).
package struct EarlierManifest {
    package struct Entry {
        package var path: String
        package var cacheKey: String
        package var bytes: Int
        /// The entry as it stands in the file (an object nested in `files`, indented for it).
        package var text: Data

        package init(path: String, cacheKey: String, bytes: Int, text: Data) {
            self.path = path
            self.cacheKey = cacheKey
            self.bytes = bytes
            self.text = text
        }
    }

    /// By path.
    package var entries: [String: Entry]

    /// The manifest at `url`; nil when there is none, or it is not a manifest of this version.
    package static func read(from url: URL) -> EarlierManifest? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return data.withUnsafeBytes { raw -> EarlierManifest? in
            var reader = JSONReader(raw)
            var entries = [String: Entry]()
            var version: Int?
            do {
                try reader.object { key, reader in
                    switch key {
                    case "files":
                        try reader.array { reader in
                            reader.skipWhitespace()
                            let start = reader.position
                            var path: String?, cacheKey: String?, bytes: Int?
                            try reader.object { key, reader in
                                switch key {
                                case "path": path = try reader.string()
                                case "cache_key": cacheKey = try reader.string()
                                case "bytes": bytes = try reader.integer()
                                default: try reader.skipValue()
                                }
                            }
                            guard let path, let cacheKey, let bytes else { throw reader.error("an entry lacks a field") }
                            entries[path] = Entry(path: path, cacheKey: cacheKey, bytes: bytes,
                                                  text: Data(UnsafeRawBufferPointer(rebasing: raw[start..<reader.position])))
                        }
                    case "version":
                        version = try reader.integer()
                    default:
                        try reader.skipValue()
                    }
                }
            } catch {
                return nil
            }
            guard version == OutputManifest.currentVersion else { return nil }
            return EarlierManifest(entries: entries)
        }
    }

    package init(entries: [String: Entry]) {
        self.entries = entries
    }
}
