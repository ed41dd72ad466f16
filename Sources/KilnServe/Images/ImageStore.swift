import Foundation
import KilnCache
import KilnCore

/// Images by SHA-256 for `GET /images/{digest}`: the cache's blobs (`blobs/ab/<sha>`), looked up
/// locally, then in the remote cache when there is one; and their thumbnails, made once and kept
/// where the gallery keeps its own (`thumbs/ab/<sha>.webp` for the gallery's 256 px box,
/// `thumbs/ab/<sha>-<w>.webp` for the other widths).
struct ImageStore: Sendable {
    let cache: ResultCache

    /// Widths `?w=` may ask for: a short list, so a client cannot make the server render (and keep)
    /// thousands of sizes of one image.
    static let thumbnailWidths = [64, 128, 256, 512, 1024, 2048]

    /// Whether `text` is a digest this route serves: exactly 64 lowercase hex digits, so nothing
    /// else (`..`, `%2e`, uppercase, a slash) ever reaches a path.
    static func isDigest(_ text: Substring) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    func blobPath(_ digest: String) -> String {
        cache.store.path(for: .blob(sha256: digest))
    }

    func thumbnailPath(_ digest: String, width: Int) -> String {
        let name = width == 256 ? "\(digest).webp" : "\(digest)-\(width).webp"
        return cache.directory.appendingPathComponent("thumbs/\(digest.prefix(2))/\(name)").path
    }

    /// The image's bytes, checked against the digest; nil when no cache has it.
    func image(_ digest: String) async -> Data? {
        let path = blobPath(digest)
        if let data = PosixFile.read(path), Digest.sha256(data) == digest { return data }
        guard let remote = cache.remote, let data = try? await remote.backend.get(.blob(sha256: digest)),
              Digest.sha256(data) == digest else { return nil }
        try? cache.store.writeFile(data, to: path, mode: 0o444)
        return data
    }

    /// Writes the blobs of an entry that holds its images inline (a build's, on ext4), so each of
    /// them can be served by digest.
    func keepBlobs(_ hit: CachedResult) throws {
        for (data, image) in zip(hit.images, hit.record.images) {
            let path = blobPath(image.sha256)
            if PosixFile.status(path) == nil { try cache.store.writeFile(data, to: path, mode: 0o444) }
        }
    }

    /// The thumbnail of `digest` at `width` (a WebP in a `width` box), made with `toolkit` the
    /// first time and read from the cache after. Returns whether it was made now, for the tests.
    func thumbnail(_ digest: String, width: Int, source: Data, toolkit: any ImageToolkit) async throws -> (data: Data, made: Bool) {
        let path = thumbnailPath(digest, width: width)
        if let data = PosixFile.read(path) { return (data, false) }
        let operations = DeriveOperations(resize: ResizeSpec(width: width, height: width, fit: .contain),
                                          format: .webp, quality: 75, strip: true)
        let data = try await toolkit.derive(source, operations)
        try AtomicFile.ensureDirectory(path: (path as NSString).deletingLastPathComponent)
        try AtomicFile.write(data, toPath: path)
        return (data, true)
    }
}
