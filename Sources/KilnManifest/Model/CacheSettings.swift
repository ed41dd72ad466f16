import KilnCore

/// A manifest's `cache:` block: the remote cache a project shares, so every machine that builds it
/// looks there before paying (see docs/cache.md). Located, so a conflict between two manifests or
/// a bad value is reported at its line.
public struct CacheSettings: Sendable, Hashable {
    /// `remote:` — `http(s)://…`, `s3://bucket/prefix` or `file:///path`, checked when decoded.
    public var remote: Located<String>?
    /// `read_only:` — read, never write.
    public var readOnly: Bool?
    /// `required:` — a remote failure fails the build.
    public var required: Bool?
    public var location: SourceLocation

    public init(remote: Located<String>? = nil, readOnly: Bool? = nil, required: Bool? = nil, location: SourceLocation) {
        self.remote = remote
        self.readOnly = readOnly
        self.required = required
        self.location = location
    }
}
