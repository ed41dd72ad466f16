import Foundation
import KilnCore

/// What the cache keeps for one key besides the image bytes: each image's digest and size, and
/// enough metadata to rebuild the output manifest entry without calling the provider again.
/// Never holds the API key.
public struct CacheRecord: Hashable, Sendable, Codable {
    /// The record format of an entry whose images are blobs (`CacheEntryFile`); `store` writes
    /// format 3 (the images after the record) when blobs would not save a write. Both are read;
    /// any other version is a miss.
    public static let currentVersion = CacheEntryFile.version

    /// One stored image: its digest and size.
    public struct Image: Hashable, Sendable, Codable {
        /// The image's digest (lowercase hex SHA-256 of the image bytes).
        public var sha256: String
        public var bytes: Int
        public var format: ImageFormat?

        public init(sha256: String, bytes: Int, format: ImageFormat?) {
            self.sha256 = sha256
            self.bytes = bytes
            self.format = format
        }
    }

    /// Where an adopted answer came from (`kiln adopt`): the files, as the person named them, in
    /// image order.
    public struct Adoption: Hashable, Sendable, Codable {
        public var from: [String]

        public init(from: [String]) {
            self.from = from
        }
    }

    public var version: Int
    public var cacheKey: String
    /// The step that paid for it (another step with the same key may reuse it).
    public var step: StepID
    public var kind: StepKind
    public var provider: String?
    public var model: String?
    public var usage: UsageRecord?
    public var requestID: String?
    /// What the call cost when it was paid for, in US dollars (from the reported usage and the
    /// price table then, else the plan's estimate); nil for local work.
    public var costUSD: Double?
    /// Values the service reported it used (auto resolved).
    public var resolved: [String: String]
    public var images: [Image]
    /// When the answer was stored: ISO-8601 in UTC, to the second (`2025-06-01T12:00:00Z`).
    public var created: String
    /// Set when no provider made this answer: `kiln adopt` recorded existing files as the step's
    /// result (no request id, usage or cost then). Nil for every answer a build stored; an entry
    /// written before the field existed reads as nil, so the format version did not change.
    public var adopted: Adoption?

    public init(cacheKey: String, step: StepID, kind: StepKind, provider: String?, model: String?,
                usage: Usage?, requestID: String?, costUSD: Double? = nil, resolved: [String: String],
                images: [Image], created: Date = Date(), adopted: Adoption? = nil) {
        self.costUSD = costUSD
        self.adopted = adopted
        self.version = Self.currentVersion
        self.created = Self.utcTimestamp(created)
        self.cacheKey = cacheKey
        self.step = step
        self.kind = kind
        self.provider = provider
        self.model = model
        self.usage = usage.map(UsageRecord.init)
        self.requestID = requestID
        self.resolved = resolved
        self.images = images
    }

    package enum CodingKeys: String, CodingKey {
        case version, cacheKey = "cache_key", step, kind, provider, model, usage
        case requestID = "request_id", costUSD = "cost_usd", resolved, images, created, adopted
    }
}

extension CacheRecord {
    /// `2026-11-27T21:06:33Z`, as `Date.formatted(.iso8601)` writes it, without building a format
    /// style for every stored answer.
    package static func utcTimestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// The record as stored: `CanonicalJSON.encode(self, pretty: true)`'s bytes, written by hand
    /// (`PrettyJSONWriter`): `JSONEncoder` was the largest cost of a cache store.
    package func encoded() -> Data {
        var w = PrettyJSONWriter(capacity: 768)
        w.openObject()
        if let adopted {
            w.key("adopted")
            w.openObject()
            w.key("from")
            w.openArray()
            for path in adopted.from {
                w.element()
                w.string(path)
            }
            w.closeArray()
            w.closeObject()
        }
        w.member("cache_key", cacheKey)
        if let costUSD { w.key("cost_usd"); w.double(costUSD) }
        w.member("created", created)
        w.key("images")
        w.openArray()
        for image in images {
            w.element()
            w.openObject()
            w.member("bytes", image.bytes)
            w.member("format", image.format?.rawValue)
            w.member("sha256", image.sha256)
            w.closeObject()
        }
        w.closeArray()
        w.member("kind", kind.rawValue)
        w.member("model", model)
        w.member("provider", provider)
        w.member("request_id", requestID)
        w.member("resolved", resolved)
        w.member("step", step.description)
        w.member("usage", usage)
        w.member("version", version)
        w.closeObject()
        return Data(w.bytes)
    }
}

/// A cache hit: the record and the image bytes, in the step's `n` order.
public struct CachedResult: Sendable {
    public var record: CacheRecord
    public var images: [Data]
    /// The blobs the images were read from and checked against their digests just now, in the
    /// same order: outputs can be placed from them (`AtomicFile.place`). Nil for a format-3
    /// entry, which holds its images itself.
    public var blobs: [String]?

    package init(record: CacheRecord, images: [Data], blobs: [String]? = nil) {
        self.record = record
        self.images = images
        self.blobs = blobs
    }
}

/// Where a cached answer's images are on disk, in its record's order, for an upload that streams
/// them without reading them here (`ResultCache.unverifiedEntry`).
package struct StoredImages: Sendable {
    package struct File: Sendable {
        package var path: String
        /// The bytes of `path` that are the image: inside a format-3 entry; nil for a blob (all of it).
        package var range: Range<Int>?
    }

    package var record: CacheRecord
    package var files: [File]
}

/// What `ResultCache.store` wrote: the record, and each image's blob in the record's order (nil
/// for an entry that holds its images).
public struct StoredResult: Sendable {
    public var record: CacheRecord
    public var blobs: [String]?
}
