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
        if let derive { w.key("derive"); Self.write(derive, to: &w) }
        w.member("duration_ms", durationMS)
        w.member("format", format.rawValue)
        w.member("from_cache", fromCache)
        w.member("height", height)
        w.member("index", index)
        w.member("kind", kind.rawValue)
        w.member("model", model)
        if let parameters { w.key("parameters"); Self.write(parameters, to: &w) }
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
    package static let fieldsWritten = 25

    private static func write(_ d: DeriveOperations, to w: inout PrettyJSONWriter) {
        w.openObject()
        w.member("background", d.background?.description)
        if let crop = d.crop {
            w.key("crop")
            w.openObject()
            w.member("height", crop.height)
            w.member("width", crop.width)
            w.member("x", crop.x)
            w.member("y", crop.y)
            w.closeObject()
        }
        w.member("format", d.format.rawValue)
        if let pad = d.pad {
            w.key("pad")
            w.openObject()
            w.member("bottom", pad.bottom)
            w.member("left", pad.left)
            w.member("right", pad.right)
            w.member("top", pad.top)
            w.closeObject()
        }
        w.member("quality", d.quality)
        if let resize = d.resize {
            w.key("resize")
            w.openObject()
            w.member("fit", resize.fit.rawValue)
            w.member("height", resize.height)
            w.member("upscale", resize.upscale)
            w.member("width", resize.width)
            w.closeObject()
        }
        w.member("strip", d.strip)
        w.closeObject()
    }

    /// From the parameter table (`ImageParameters.recordedFields`, sorted by name).
    private static func write(_ p: ImageParameters, to w: inout PrettyJSONWriter) {
        w.openObject()
        for (name, value) in p.recordedFields {
            switch value {
            case let .text(text): w.member(name, text)
            case let .integer(number): w.member(name, number)
            }
        }
        w.closeObject()
    }
}
