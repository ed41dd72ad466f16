import Foundation
import KilnCore

/// What the cache keeps about one result beside its image bytes: enough to rebuild the output
/// manifest entry without calling the provider again. Never holds the API key, and no timestamps
/// (a cache entry is a pure function of its key).
public struct CacheRecord: Hashable, Sendable, Codable {
    /// One stored image.
    public struct Image: Hashable, Sendable, Codable {
        /// File name inside the entry's directory.
        public var file: String
        public var sha256: String
        public var bytes: Int
        public var format: ImageFormat?

        public init(file: String, sha256: String, bytes: Int, format: ImageFormat?) {
            self.file = file
            self.sha256 = sha256
            self.bytes = bytes
            self.format = format
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
    /// Values the service reported it used (auto resolved).
    public var resolved: [String: String]
    public var images: [Image]

    public init(cacheKey: String, step: StepID, kind: StepKind, provider: String?, model: String?,
                usage: Usage?, requestID: String?, resolved: [String: String], images: [Image]) {
        self.version = 1
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

    enum CodingKeys: String, CodingKey {
        case version, cacheKey = "cache_key", step, kind, provider, model, usage
        case requestID = "request_id", resolved, images
    }
}

/// A cache hit: the record and the image bytes, in the step's `n` order.
public struct CachedResult: Sendable {
    public var record: CacheRecord
    public var images: [Data]
}
