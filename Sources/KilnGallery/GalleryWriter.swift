import Foundation
import KilnCore
import KilnOutputs

/// Writes `outputs/index.html` and its thumbnails from the output manifest: after every build, and
/// on demand with `kiln report`.
///
/// "Changed" is measured against the build before: a build that changes the output manifest first
/// keeps the manifest it replaces as `outputs/kiln-gallery/previous-manifest.json`
/// (`rememberPrevious`). A build that changes nothing keeps the comparison it had, so the page
/// still shows what the last real change did.
public struct GalleryWriter: Sendable {
    public var outputDirectory: URL
    public var manifestURL: URL
    /// `<cache>/thumbs`; nil makes thumbnails without keeping them.
    public var thumbnailCache: URL?
    public var toolkit: any ImageToolkit
    public var title: String

    public init(outputDirectory: URL, manifestURL: URL, cacheDirectory: URL?, toolkit: any ImageToolkit,
                title: String = "Kiln build") {
        self.outputDirectory = outputDirectory
        self.manifestURL = manifestURL
        self.thumbnailCache = cacheDirectory?.appendingPathComponent("thumbs")
        self.toolkit = toolkit
        self.title = title
    }

    public var pageURL: URL { outputDirectory.appendingPathComponent(ReservedOutputs.gallery) }
    var rerolled: RerolledFiles { RerolledFiles(folder: outputDirectory.appendingPathComponent(ReservedOutputs.galleryFolder + "/rerolled")) }
    var previousURL: URL {
        outputDirectory.appendingPathComponent(ReservedOutputs.galleryFolder + "/previous-manifest.json")
    }

    /// What `write` did.
    public struct Summary: Sendable {
        public var images: Int
        /// Whether there was a build before to compare with (else every image counts as new).
        public var compared: Bool
        public var new: Int
        public var changed: Int
        public var thumbnailsMade: Int
        public var thumbnailsFromCache: Int
        public var thumbnailsMissing: Int
        /// Every image in the page's order, for a contact sheet.
        public var cells: [Cell]
    }

    /// One image as a contact sheet shows it.
    public struct Cell: Sendable {
        /// Its thumbnail beside the page; nil when none could be made.
        public var thumbnail: URL?
        /// `asset@variant`, then the file and, when there was a build to compare with, its status.
        public var label: String
        /// New or changed since the build before (every image, when there was none).
        public var changed: Bool
    }

    /// The output manifest as it is now, held open (not read) before a build replaces it; nil when
    /// there is none.
    public func snapshot() -> ManifestSnapshot? {
        ManifestSnapshot(path: manifestURL.path)
    }

    /// After a build: when the output manifest was replaced by one with other bytes, the one it
    /// replaced becomes the one the gallery compares with. A build that left the file as it was
    /// (a no-op) reads nothing here.
    public func rememberPrevious(_ snapshot: ManifestSnapshot?) throws {
        guard let snapshot, let before = snapshot.replacedContents(),
              before != PosixFile.read(manifestURL.path) else { return }
        try AtomicFile.write(before, to: previousURL)
    }

    /// Writes the page and its thumbnails. Throws when there is no readable output manifest.
    /// - Parameters:
    ///   - plan: for lineage; nil leaves it out.
    ///   - made: when the answer under a cache key was stored.
    ///   - making: told how many thumbnails must be made (none are cached), before any is: a first
    ///     build of thousands of images spends a while here.
    ///   - rerolledCandidates: candidates `kiln reroll` replaced whose answers the cache still has.
    public func write(plan: Plan?, root: URL?, made: @escaping (String) -> String? = { _ in nil },
                      rerolledCandidates: [RerolledCandidate] = [],
                      concurrency: Int = ProcessInfo.processInfo.activeProcessorCount,
                      making: (Int) -> Void = { _ in }) async throws -> Summary {
        guard let data = PosixFile.read(manifestURL.path) else {
            throw GalleryError("no output manifest at \(manifestURL.path): run `kiln build` first")
        }
        let manifest: OutputManifest
        do {
            manifest = try JSONDecoder().decode(OutputManifest.self, from: data)
        } catch {
            throw GalleryError("\(manifestURL.path) is not an output manifest Kiln can read (\(error)): run `kiln build` to write it again")
        }
        let previous = PosixFile.read(previousURL.path).flatMap { try? JSONDecoder().decode(OutputManifest.self, from: $0) }
        let earlier = Dictionary((previous?.files ?? []).map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        var wanted = [String: GalleryThumbnails.Source?]()
        for file in manifest.files {
            wanted[file.sha256] = .file(outputDirectory.appendingPathComponent(file.path).path)
            if let old = earlier[file.path], old != file.sha256, wanted[old] == nil { wanted[old] = .some(nil) }
        }
        let shown = await rerolled.shown(rerolledCandidates, outputDirectory: outputDirectory, toolkit: toolkit)
        for candidate in shown where wanted[candidate.sha256] == nil { wanted[candidate.sha256] = .load(candidate.load) }
        let thumbnails = GalleryThumbnails(outputDirectory: outputDirectory, cacheFolder: thumbnailCache, toolkit: toolkit)
        let (available, tally) = await thumbnails.prepare(wanted, concurrency: max(2, concurrency), announce: making)
        let model = GalleryModel(title: title, manifest: manifest, previous: previous, plan: plan, root: root,
                                 thumbnail: { available.contains($0) ? GalleryThumbnails.relativePath($0) : nil },
                                 made: made, rerolled: shown)
        try AtomicFile.write(try GalleryPage.html(model), to: pageURL)
        return Summary(images: model.items.count, compared: model.compared, new: model.totals.new, changed: model.totals.changed,
                       thumbnailsMade: tally.made, thumbnailsFromCache: tally.fromCache, thumbnailsMissing: tally.missing,
                       cells: model.items.map { item in
                           Cell(thumbnail: item.thumb.map { outputDirectory.appendingPathComponent($0) },
                                label: item.asset + (item.variant.map { "@" + $0 } ?? "") + "\n" + item.path
                                    + (model.compared ? " · " + item.status.rawValue : ""),
                                changed: item.status != .unchanged)
                       })
    }
}

/// The gallery could not be written; the message says why and what to do.
public struct GalleryError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
