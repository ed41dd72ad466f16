/// One file part the fake received.
public struct RecordedFile: Sendable, Hashable {
    /// The part name: `image`, `image[]` or `mask`.
    public var field: String
    public var filename: String?
    public var contentType: String?
    public var byteCount: Int
}

/// Everything the fake saw of one request, for assertions. The `Authorization` value is never kept.
public struct RecordedRequest: Sendable {
    public var path: String
    /// Header names lowercased; `authorization` is stored as `Bearer [redacted]`.
    public var headers: [String: String]
    /// Whether the Bearer token matched the configured key.
    public var authorized: Bool
    /// JSON fields (as their JSON text) or multipart text parts, in order of arrival.
    public var fields: [(name: String, value: String)]
    public var files: [RecordedFile]
    /// The `Content-Length` header, nil when absent (e.g. chunked).
    public var contentLength: Int?
    public var bodyBytes: Int

    /// The value of the first field named `name`.
    public func field(_ name: String) -> String? {
        fields.first { $0.name == name }?.value
    }

    /// The names of every field, in order.
    public var fieldNames: [String] { fields.map(\.name) }
}
