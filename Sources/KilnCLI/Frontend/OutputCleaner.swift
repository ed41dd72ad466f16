import Foundation
import KilnCore

/// `kiln clean`: the files under the output folder that no planned step writes.
struct OutputCleaner {
    let outputDirectory: URL
    let plan: Plan

    /// Paths relative to the output folder, sorted. Kiln's own files (the output manifest, the
    /// gallery) and folders are never listed.
    func strayFiles() -> [String] {
        let planned = Set(plan.steps.flatMap { $0.outputs.map(\.path) })
        let base = outputDirectory.standardizedFileURL.path
        let fm = FileManager.default
        var stray = [String]()
        let enumerator = fm.enumerator(atPath: base)
        while let item = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: base + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if !planned.contains(item) && !ReservedOutputs.isKilns(item) { stray.append(item) }
        }
        return stray.sorted()
    }

    /// Removes `paths` (relative), then every folder they leave empty.
    func remove(_ paths: [String]) throws {
        let fm = FileManager.default
        var folders = Set<String>()
        for path in paths {
            try fm.removeItem(at: outputDirectory.appendingPathComponent(path))
            var folder = (path as NSString).deletingLastPathComponent
            while !folder.isEmpty {
                folders.insert(folder)
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        // Deepest first, so a parent is empty by the time it is tried.
        for folder in folders.sorted(by: { $0.count > $1.count }) {
            let url = outputDirectory.appendingPathComponent(folder)
            if (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true { try? fm.removeItem(at: url) }
        }
    }
}
