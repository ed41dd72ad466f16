import Foundation
import KilnCore

extension ResultCache {
    private struct LastBuild: Codable {
        var hits: Int
        var misses: Int
        /// ISO-8601 in UTC.
        var date: String
        /// What the remote cache did, when there was one.
        var remote: RemoteStats?
    }

    private var lastBuildPath: String { root + "/last-build.json" }

    /// Records the cache hits and misses of the build that just finished (`kiln cache stats`
    /// shows its hit rate), replacing the previous record atomically. Throws
    /// `FileError` when the file cannot be written.
    public func recordLastBuild(hits: Int, misses: Int, remote: RemoteStats? = nil, date: Date = Date()) throws {
        let record = LastBuild(hits: hits, misses: misses, date: date.formatted(.iso8601), remote: remote)
        try put(CanonicalJSON.encode(record), at: lastBuildPath)
    }

    /// The hits, misses and end time of the last recorded build, or nil when none was recorded
    /// (or the record cannot be read).
    public func lastBuild() -> (hits: Int, misses: Int, date: Date, remote: RemoteStats?)? {
        guard let data = PosixFile.read(lastBuildPath),
              let record = try? JSONDecoder().decode(LastBuild.self, from: data),
              let date = try? Date(record.date, strategy: .iso8601) else { return nil }
        return (record.hits, record.misses, date, record.remote)
    }
}
