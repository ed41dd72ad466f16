/// The names under the output folder that are Kiln's own, not any step's: the output manifest and
/// the gallery (`index.html`, with its thumbnails under `kiln-gallery/`). No output may take them,
/// and `kiln clean` never lists them as stray.
public enum ReservedOutputs {
    public static let manifest = "manifest.json"
    public static let gallery = "index.html"
    /// The gallery's folder: thumbnails and the previous build's manifest.
    public static let galleryFolder = "kiln-gallery"

    /// Why `path` (relative, folded) cannot be an output; nil when it can.
    public static func problem(_ path: String) -> String? {
        let lower = path.lowercased()
        if lower == manifest { return "is where Kiln writes the output manifest" }
        if lower == gallery { return "is where Kiln writes the gallery" }
        if lower == galleryFolder || lower.hasPrefix(galleryFolder + "/") { return "is inside the gallery's folder \(galleryFolder)/" }
        return nil
    }

    /// Whether `path` (relative to the output folder) is one of Kiln's own files.
    public static func isKilns(_ path: String) -> Bool {
        path == manifest || path == gallery || path.hasPrefix(galleryFolder + "/")
    }
}
