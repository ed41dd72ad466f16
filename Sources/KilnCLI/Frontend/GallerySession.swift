import Foundation
import KilnCore
import KilnGallery
import KilnImaging
import KilnCache

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
                                                 rerolledCandidates: rerolledCandidates(plan: plan),
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

    /// The candidates `kiln reroll` replaced (`.kiln/rerolled.json`) whose answers the cache still
    /// has; the others are forgotten (and the file rewritten) here.
    func rerolledCandidates(plan: Plan?) -> [RerolledCandidate] {
        let url = EarlierCandidates.url(in: project.root)
        var earlier = EarlierCandidates.load(from: url)
        guard !earlier.entries.isEmpty else { return [] }
        let cache = project.cache
        let index = plan?.index() ?? [:]
        let inUse = Set(plan?.steps.map(\.cacheKey) ?? [])
        var records = [String: CacheRecord]()
        if earlier.prune(keeping: { entry in
            guard !inUse.contains(entry.cacheKey), let record = cache.record(for: entry.cacheKey),
                  record.images.count == 1 else { return false }
            records[entry.cacheKey] = record
            return true
        }) {
            try? earlier.write(to: url)
        }
        return earlier.entries.compactMap { entry in
            guard let record = records[entry.cacheKey], let image = record.images.first,
                  let id = StepID(parsing: entry.step), let number = id.candidateOf?.number else { return nil }
            let key = entry.cacheKey
            return RerolledCandidate(step: id, number: number, cacheKey: key, rerolled: entry.rerolled, sha256: image.sha256,
                                     format: image.format ?? .png, provider: record.provider, model: record.model,
                                     prompt: index[id].flatMap { plan?.steps[$0].prompt }, requestID: record.requestID,
                                     costUSD: record.costUSD ?? 0, made: record.created,
                                     load: { (try? cache.lookup(key))?.images.first })
        }
    }

    private func displayPath(_ url: URL) -> String {
        let root = project.root.standardizedFileURL.path + "/"
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
    }
}
