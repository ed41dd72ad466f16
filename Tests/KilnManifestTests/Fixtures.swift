import Foundation
import KilnManifest

/// The fixture corpus under `Fixtures/`, found next to this file.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Names (without `.yaml`) of the manifests in `Fixtures/<folder>`, sorted.
    static func names(in folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func url(_ folder: String, _ name: String, _ ext: String = "yaml") -> URL {
        root.appendingPathComponent(folder).appendingPathComponent("\(name).\(ext)")
    }

    static func load(_ folder: String, _ name: String) -> ManifestLoadResult {
        ManifestLoader.load(fileAt: url(folder, name), displayPath: "\(name).yaml")
    }

    /// Loads manifest text as if it were `test.yaml` beside the good fixtures (so inputs resolve).
    static func load(_ text: String) -> ManifestLoadResult {
        ManifestLoader.load(text: text, displayPath: "test.yaml", directory: root.appendingPathComponent("good").path)
    }
}
