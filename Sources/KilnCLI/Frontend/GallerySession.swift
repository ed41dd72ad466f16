import Foundation
import KilnCore
import KilnGallery
import KilnImaging

/// The gallery (`outputs/index.html`) as `kiln build` and `kiln report` write it: thumbnails kept in
/// the project's cache, lineage from the plan, each answer's time from its cache record.
struct GallerySession {
    let project: ProjectFiles
    let writer: GalleryWriter

    init(project: ProjectFiles, manifest: URL) {
        self.project = project
        writer = GalleryWriter(outputDirectory: project.outputDirectory, manifestURL: manifest,
                               cacheDirectory: project.cache.directory, toolkit: VipsToolkit(),
                               title: "Kiln · " + project.root.lastPathComponent)
    }

    /// Whether the page is there at all.
    var pageExists: Bool { FileManager.default.fileExists(atPath: writer.pageURL.path) }

    /// Writes the page; says on stderr where it is and what changed. A failure is a warning, never
    /// a failed build: the images are built either way.
    @discardableResult
    func write(plan: Plan?) async -> GalleryWriter.Summary? {
        do {
            try VipsToolkit.initialize()
            let cache = project.cache
            let summary = try await writer.write(plan: plan, root: project.root, made: { cache.record(for: $0)?.created },
                                                 making: { count in
                if count >= 100 {
                    Console.err("gallery: making \(count) thumbnail(s), once (they are kept in the cache); --no-gallery skips the gallery")
                }
            })
            var line = "gallery: \(displayPath(writer.pageURL)) — \(summary.images) image(s)"
            if summary.compared && summary.new + summary.changed > 0 { line += ", \(summary.new) new, \(summary.changed) changed" }
            if summary.thumbnailsMissing > 0 { line += "; \(summary.thumbnailsMissing) without a thumbnail" }
            Console.err(line)
            return summary
        } catch {
            Console.err("warning: the gallery was not written: \(error)")
            return nil
        }
    }

    private func displayPath(_ url: URL) -> String {
        let root = project.root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}
