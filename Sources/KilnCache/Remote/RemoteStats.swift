import Foundation

/// What the remote tier did in one build: shown in the build's summary and kept for
/// `kiln cache stats` (`ResultCache.recordLastBuild`).
public struct RemoteStats: Hashable, Sendable, Codable {
    /// Answers found in the remote cache (and copied into the local one, every digest checked).
    public var hits = 0
    /// Keys the remote cache did not have.
    public var misses = 0
    /// Answers the remote cache had but that were not used: a blob whose bytes do not match its
    /// digest, a record with a wrong or missing signature, a record that is not one.
    public var rejected = 0
    /// Look-ups and uploads that failed (after retries) or were skipped once the store was given up.
    public var errors = 0
    public var bytesDown: Int64 = 0
    /// Answers uploaded (their record, after their images).
    public var uploaded = 0
    /// Images uploaded; an image the store had already is not sent again.
    public var blobsUploaded = 0
    public var bytesUp: Int64 = 0
    /// Answers that could not be uploaded (a failure, or uploads given up): they are in the local
    /// cache only, until `kiln cache push`.
    public var notUploaded = 0

    public init() {}

    /// `12 hits, 3 misses, 44.1 MB down; 8 uploaded (30.2 MB)`, and the problems, if any.
    public var summary: String {
        var parts = ["\(hits) hit(s), \(misses) miss(es), \(Self.megabytes(bytesDown)) down"]
        if uploaded > 0 || bytesUp > 0 { parts.append("\(uploaded) uploaded (\(Self.megabytes(bytesUp)))") }
        if notUploaded > 0 { parts.append("\(notUploaded) NOT uploaded (local only: run `kiln cache push`)") }
        if rejected > 0 { parts.append("\(rejected) rejected") }
        if errors > 0 { parts.append("\(errors) error(s)") }
        return parts.joined(separator: "; ")
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    enum CodingKeys: String, CodingKey {
        case hits, misses, rejected, errors, bytesDown = "bytes_down", uploaded
        case blobsUploaded = "blobs_uploaded", bytesUp = "bytes_up", notUploaded = "not_uploaded"
    }
}
