import Foundation

/// Where a remote cache is, as `--remote-cache`, `KILN_REMOTE_CACHE` or a project's `cache:` block
/// names it: an HTTP base URL (the bazel-remote layout) or an S3 bucket with an optional prefix.
public enum RemoteCacheLocation: Sendable, Hashable, CustomStringConvertible {
    /// `http://host:port/base` or `https://…`: `<base>/cas/<sha256>` and `<base>/ac/<key>`.
    case http(URL)
    /// `s3://bucket/prefix`: `<prefix>/cas/<sha256>` and `<prefix>/ac/<key>` in the bucket (the
    /// endpoint, region and credentials come from the environment, as the AWS tools read them).
    case s3(bucket: String, prefix: String)
    /// `file:///path`: a folder every machine mounts (NFS, SMB), laid out as the local cache is.
    case folder(URL)

    /// Parses a location; the error says what is accepted.
    public init(parsing text: String) throws(RemoteCacheLocationError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased() else {
            throw RemoteCacheLocationError(text)
        }
        switch scheme {
        case "http", "https":
            guard url.host?.isEmpty == false, url.user == nil, url.password == nil, url.query == nil, url.fragment == nil else {
                throw RemoteCacheLocationError(text)
            }
            self = .http(url)
        case "file":
            guard url.host == nil || url.host == "" || url.host == "localhost", url.path.hasPrefix("/"), url.path.count > 1 else {
                throw RemoteCacheLocationError(text)
            }
            self = .folder(URL(fileURLWithPath: url.path))
        case "s3":
            guard let bucket = url.host, Self.isBucketName(bucket), url.query == nil, url.fragment == nil else {
                throw RemoteCacheLocationError(text)
            }
            let prefix = url.path.split(separator: "/").joined(separator: "/")
            self = .s3(bucket: bucket, prefix: prefix)
        default:
            throw RemoteCacheLocationError(text)
        }
    }

    /// 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a
    /// letter or digit (S3's bucket naming rules).
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (97...122).contains(b) || (48...57).contains(b) }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
            && alnum(bytes[0]) && alnum(bytes[bytes.count - 1])
    }

    public var description: String {
        switch self {
        case let .http(url): url.absoluteString
        case let .s3(bucket, prefix): "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)")
        case let .folder(url): "file://" + url.standardizedFileURL.path
        }
    }
}

/// A remote cache location Kiln cannot use.
public struct RemoteCacheLocationError: Error, Sendable, CustomStringConvertible {
    /// The text as given, with any `user:password@` and query left out (a credential is never
    /// echoed).
    public var text: String
    init(_ text: String) {
        self.text = Self.redacted(text)
    }

    /// `text` without what may hold a credential: everything between `//` and the last `@` of the
    /// authority, and any query.
    public static func redacted(_ text: String) -> String {
        var text = text
        if let query = text.firstIndex(of: "?") { text = String(text[..<query]) + "?…" }
        guard let scheme = text.range(of: "//") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "…@" + String(text[text.index(after: at)...])
    }
    public var description: String {
        "remote cache '\(text)' is not a location Kiln knows: use http(s)://HOST[:PORT][/PATH] (an HTTP cache "
            + "in the bazel-remote layout, e.g. nginx with WebDAV) or s3://BUCKET[/PREFIX] (credentials from "
            + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; AWS_ENDPOINT_URL for MinIO, R2 and the like) or "
            + "file:///PATH (a folder every machine mounts)"
    }
}
