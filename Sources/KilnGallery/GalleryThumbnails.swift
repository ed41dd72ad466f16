import Foundation
import KilnCore

/// The gallery's thumbnails: a 256-pixel WebP per image, made with the imaging toolkit, kept in the
/// cache by the image's SHA-256 (`<cache>/thumbs/ab/<sha>.webp`, so a thumbnail is made once and
/// the previous build's survive a rebuild) and copied beside the page
/// (`outputs/kiln-gallery/thumbs/<sha>.webp`), where a static host can serve them.
struct GalleryThumbnails {
    static let size = 256
    static let operations = DeriveOperations(resize: ResizeSpec(width: size, height: size, fit: .contain),
                                             format: .webp, quality: 75, strip: true)

    let outputDirectory: URL
    /// `<cache>/thumbs`, or nil to make every thumbnail afresh (no cache).
    let cacheFolder: URL?
    let toolkit: any ImageToolkit

    var folder: URL { outputDirectory.appendingPathComponent(ReservedOutputs.galleryFolder + "/thumbs") }

    /// The page-relative path of an image's thumbnail.
    static func relativePath(_ sha256: String) -> String {
        ReservedOutputs.galleryFolder + "/thumbs/\(sha256).webp"
    }

    func cached(_ sha256: String) -> URL? {
        cacheFolder?.appendingPathComponent(String(sha256.prefix(2)) + "/\(sha256).webp")
    }

    /// Where a thumbnail can be made from: a file, or bytes read on demand (an earlier candidate's
    /// answer, in the cache).
    enum Source: Sendable {
        case file(String)
        case load(@Sendable () -> Data?)

        var data: Data? {
            switch self {
            case let .file(path): PosixFile.read(path)
            case let .load(read): read()
            }
        }
    }

    /// What was done, for the summary and the benchmark.
    struct Tally: Sendable {
        var made = 0, fromCache = 0, present = 0, missing = 0, removed = 0
    }

    /// Puts a thumbnail beside the page for every image in `wanted` (SHA-256 → where it can be
    /// made from, if anywhere: a previous build's image has no file left, only its cached thumbnail),
    /// and removes the thumbnails no longer wanted. Returns the digests that have one.
    /// - Parameter announce: told how many thumbnails must be made, before any is.
    func prepare(_ wanted: [String: Source?], concurrency: Int,
                 announce: (Int) -> Void = { _ in }) async -> (available: Set<String>, tally: Tally) {
        var tally = Tally()
        var available = Set<String>()
        var toMake = [(sha: String, source: Source)]()
        for (sha, source) in wanted {
            guard Self.isDigest(sha) else { continue }
            let target = folder.appendingPathComponent("\(sha).webp").path
            if FileManager.default.fileExists(atPath: target) {
                tally.present += 1
                available.insert(sha)
            } else if let cached = cached(sha), let data = PosixFile.read(cached.path),
                      (try? AtomicFile.write(data, toPath: target)) != nil {
                tally.fromCache += 1
                available.insert(sha)
            } else if let source {
                toMake.append((sha, source))
            } else {
                tally.missing += 1
            }
        }
        if !toMake.isEmpty { announce(toMake.count) }
        // A few at a time: each holds its full-size image while libvips shrinks it.
        await withTaskGroup(of: String?.self) { group in
            var next = 0
            func start() {
                guard next < toMake.count else { return }
                let (sha, source) = toMake[next]
                next += 1
                group.addTask { await self.make(sha, from: source) ? sha : nil }
            }
            for _ in 0..<max(1, concurrency) { start() }
            while let result = await group.next() {
                if let sha = result { available.insert(sha); tally.made += 1 } else { tally.missing += 1 }
                start()
            }
        }
        tally.removed = removeUnwanted(keeping: Set(wanted.keys))
        return (available, tally)
    }

    private func make(_ sha: String, from source: Source) async -> Bool {
        guard let data = source.data, Digest.sha256(data) == sha,
              let thumbnail = try? await toolkit.derive(data, Self.operations) else { return false }
        if let cached = cached(sha) { try? AtomicFile.write(thumbnail, to: cached) }
        return (try? AtomicFile.write(thumbnail, to: folder.appendingPathComponent("\(sha).webp"))) != nil
    }

    private func removeUnwanted(keeping wanted: Set<String>) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return 0 }
        var removed = 0
        for name in names where name.hasSuffix(".webp") && !wanted.contains(String(name.dropLast(5))) {
            if (try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))) != nil { removed += 1 }
        }
        return removed
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
