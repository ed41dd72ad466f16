import KilnCore
/// What a cache holds (`ResultCache.stats()`, shown by `kiln cache stats`).
public struct CacheStats: Hashable, Sendable, Codable {
    /// Stored images (each distinct image once, however many keys name it).
    public var objects: Int
    /// Bytes of all stored images.
    public var objectBytes: Int64
    /// Action entries: cache keys with a stored answer.
    public var actions: Int

    public init(objects: Int, objectBytes: Int64, actions: Int) {
        self.objects = objects
        self.objectBytes = objectBytes
        self.actions = actions
    }
}

/// What `ResultCache.collectGarbage` removed.
public struct GCReport: Hashable, Sendable, Codable {
    public var actionsRemoved: Int
    public var objectsRemoved: Int
    /// Temp files left behind by processes that are no longer running, and per-key lock files of
    /// earlier Kiln versions.
    public var temporariesRemoved: Int
    /// Bytes of every file removed (objects, actions and temp files).
    public var bytesFreed: Int64

    public init(actionsRemoved: Int = 0, objectsRemoved: Int = 0, temporariesRemoved: Int = 0, bytesFreed: Int64 = 0) {
        self.actionsRemoved = actionsRemoved
        self.objectsRemoved = objectsRemoved
        self.temporariesRemoved = temporariesRemoved
        self.bytesFreed = bytesFreed
    }
}
