import Foundation
import KilnCore

/// A candidate `kiln reroll` replaced, whose answer the cache still has: the gallery shows it in
/// its variant's group, marked re-rolled, until `kiln cache gc` removes the answer.
public struct RerolledCandidate: Sendable {
    /// The candidate's id (`p/a@v/main~2`) and number.
    public var step: StepID
    public var number: Int
    public var cacheKey: String
    /// When it was re-rolled (ISO-8601, UTC).
    public var rerolled: String
    /// The answer's image, as its cache record names it.
    public var sha256: String
    public var format: ImageFormat
    public var provider: String?
    public var model: String?
    public var prompt: String?
    public var requestID: String?
    public var costUSD: Double
    /// When the answer was stored.
    public var made: String?
    /// Reads the image from the cache (only when the gallery has no copy yet).
    public var load: @Sendable () -> Data?

    public init(step: StepID, number: Int, cacheKey: String, rerolled: String, sha256: String, format: ImageFormat,
                provider: String?, model: String?, prompt: String?, requestID: String?, costUSD: Double,
                made: String?, load: @escaping @Sendable () -> Data?) {
        self.step = step
        self.number = number
        self.cacheKey = cacheKey
        self.rerolled = rerolled
        self.sha256 = sha256
        self.format = format
        self.provider = provider
        self.model = model
        self.prompt = prompt
        self.requestID = requestID
        self.costUSD = costUSD
        self.made = made
        self.load = load
    }

    /// One the page shows: with its full-size copy beside the page and what that image is.
    struct Shown: Sendable {
        var candidate: RerolledCandidate
        /// Page-relative path of the full-size copy (`kiln-gallery/rerolled/<sha>.png`).
        var path: String
        var info: ImageInfo
        var bytes: Int

        var sha256: String { candidate.sha256 }
        var load: @Sendable () -> Data? { candidate.load }
    }
}

/// The full-size copies of re-rolled candidates beside the page (`outputs/kiln-gallery/rerolled/`),
/// so the detail view can show one at full size next to its replacement; a copy whose answer left
/// the cache is removed with the next page.
struct RerolledFiles {
    let folder: URL

    /// The candidates that can be shown, each copied beside the page (once: by digest); removes the
    /// copies of any others. One whose image cannot be read or does not match its digest is left out.
    func shown(_ candidates: [RerolledCandidate], outputDirectory: URL, toolkit: any ImageToolkit) async -> [RerolledCandidate.Shown] {
        var shown = [RerolledCandidate.Shown]()
        var keep = Set<String>()
        for candidate in candidates where GalleryThumbnails.isDigest(candidate.sha256) {
            let name = "\(candidate.sha256).\(candidate.format.fileExtension)"
            let target = folder.appendingPathComponent(name)
            var data = PosixFile.read(target.path)
            if data.map(Digest.sha256) != candidate.sha256 {
                data = candidate.load().flatMap { Digest.sha256($0) == candidate.sha256 ? $0 : nil }
                guard let fresh = data, (try? AtomicFile.write(fresh, to: target)) != nil else { continue }
            }
            guard let data, let info = try? await toolkit.inspect(data) else { continue }
            keep.insert(name)
            let relative = ReservedOutputs.galleryFolder + "/rerolled/" + name
            shown.append(.init(candidate: candidate, path: relative, info: info, bytes: data.count))
        }
        if let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names where !keep.contains(name) {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
        return shown
    }
}
