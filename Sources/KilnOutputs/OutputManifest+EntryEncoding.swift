import Foundation
import KilnCore

extension OutputManifest.File {
    /// This file's entry in the output manifest, pretty-printed at the top level: the bytes
    /// `CanonicalJSON.encode(self, pretty: true)` gives, written by hand (`PrettyJSONWriter`) because
    /// `JSONEncoder` took ~30 µs an entry, a fifth of the engine's CPU per step. Keys in sorted
    /// order; a test compares the two for files with every field set and with none.
    public func encodedEntry() throws -> Data {
        entryText(depth: 0)
    }

    /// The entry indented to sit `depth` levels deep: 2 inside the manifest's `files`, where the
    /// engine splices it as it is.
    package func entryText(depth: Int) -> Data {
        var w = PrettyJSONWriter(depth: depth)
        w.openObject()
        if let adopted { w.member("adopted", adopted) }
        w.member("alpha", alpha)
        w.member("asset", asset)
        w.member("bytes", bytes)
        w.member("cache_key", cacheKey)
        w.key("cost")
        w.openObject()
        w.member("basis", cost.basis.rawValue)
        w.key("usd")
        w.double(cost.usd)
        w.closeObject()
        if let derive { w.key("derive"); w.value(derive) }
        w.member("duration_ms", durationMS)
        w.member("format", format.rawValue)
        w.member("from_cache", fromCache)
        w.member("height", height)
        w.member("index", index)
        w.member("kind", kind.rawValue)
        w.member("model", model)
        if let parameters { w.key("parameters"); w.value(parameters) }
        w.member("path", path)
        w.member("prompt", prompt)
        w.member("provider", provider)
        w.member("request_id", requestID)
        w.member("resolved", resolved)
        w.member("sha256", sha256)
        w.member("step", step.description)
        w.member("usage", usage)
        w.member("variant", variant)
        w.member("variant_values", variantValues)
        w.member("width", width)
        w.closeObject()
        return Data(w.bytes)
    }

    /// The number of stored properties `encodedEntry` writes: a test compares it with the type's,
    /// so a field added to `File` without a line above fails loudly.
    package static let fieldsWritten = 26
}
