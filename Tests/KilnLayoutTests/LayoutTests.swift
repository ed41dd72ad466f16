import Foundation
import Testing

/// The shape docs/architecture.md draws, checked against the sources: which Kiln targets each
/// target may import (imports point down, towards KilnCore), and a line in Sources/README.md for
/// every source folder.
@Suite struct LayoutTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let sources = root.appendingPathComponent("Sources")

    /// Each target's allowed Kiln imports (C shims included).
    static let allowed: [String: Set<String>] = [
        "KilnCore": ["CKilnFiles", "CKilnHash"],
        "KilnManifest": ["KilnCore"],
        "KilnPlanner": ["KilnCore", "KilnManifest"],
        "KilnCache": ["KilnCore"],
        "KilnLock": ["KilnCore"],
        "KilnOutputs": ["KilnCore"],
        "KilnGallery": ["KilnCore", "KilnOutputs"],
        "KilnEngine": ["KilnCore", "KilnCache", "KilnLock", "KilnOutputs"],
        "KilnImaging": ["KilnCore", "CKilnVips"],
        "KilnPlaceholder": ["KilnCore", "KilnImaging"],
        "KilnOpenAI": ["KilnCore"],
        "KilnRemoteCache": ["KilnCore", "KilnCache"],
        "KilnFakeOpenAI": ["KilnCore", "KilnImaging", "KilnPlaceholder"],
        "KilnServeRecords": ["KilnCore"],
        "KilnCLI": ["KilnCore", "KilnManifest", "KilnPlanner", "KilnCache", "KilnLock", "KilnOutputs", "KilnEngine",
                    "KilnImaging", "KilnPlaceholder", "KilnOpenAI", "KilnGallery", "KilnRemoteCache", "KilnServe",
                    "KilnServeRecords"],
        // The server sees the cache, the planner's key and the rules; the CLI hands it the
        // provider and libvips through KilnCore's protocols.
        "KilnServe": ["KilnCore", "KilnManifest", "KilnPlanner", "KilnCache"],
        "kiln": ["KilnCLI"],
        "openai-fake": ["KilnFakeOpenAI", "KilnOpenAI", "KilnCore"],
    ]

    func swiftFiles(in folder: URL) -> [URL] {
        let items = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? []
        return items.filter { $0.pathExtension == "swift" }
    }

    @Test func everyTargetImportsOnlyTheTargetsBelowIt() throws {
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
            .filter { !$0.hasPrefix(".") && !$0.hasPrefix("C") && $0 != "README.md" }
        #expect(Set(targets) == Set(Self.allowed.keys), "a target is missing from this table (or from Sources/)")
        for target in targets {
            var imported = Set<String>()
            for file in swiftFiles(in: Self.sources.appendingPathComponent(target)) {
                for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                    let words = line.split(separator: " ").map(String.init)
                    guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                          words[..<i].allSatisfy({ $0.hasPrefix("@") }) else { continue }
                    let module = words[i + 1]
                    if module.hasPrefix("Kiln") || module.hasPrefix("CKiln") { imported.insert(module) }
                }
            }
            let extra = imported.subtracting(Self.allowed[target] ?? [])
            #expect(extra.isEmpty, "\(target) imports \(extra.sorted()), which docs/architecture.md does not allow")
        }
    }

    @Test func sourcesReadmeHasALineForEveryFolder() throws {
        let readme = try String(contentsOf: Self.sources.appendingPathComponent("README.md"), encoding: .utf8)
        let items = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: [.isDirectoryKey])?
            .allObjects as? [URL] ?? []
        let base = Self.sources.standardizedFileURL.path + "/"
        let folders = items.filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .map { String($0.standardizedFileURL.path.dropFirst(base.count)) }
            .filter { !$0.hasSuffix("/include") }
        #expect(!folders.isEmpty)
        let missing = folders.filter { !readme.contains("`\($0)/`") }
        #expect(missing.isEmpty, "Sources/README.md says nothing of \(missing.sorted())")
    }
}
