import Foundation

/// Where an S3 cache's objects are and how to reach them, read from the environment the way the AWS
/// tools read it (an empty variable counts as unset):
/// - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (both required) and `AWS_SESSION_TOKEN` (temporary
///   credentials). Kiln reads no other source: not `~/.aws`, profiles or instance roles.
/// - `AWS_REGION`, then `AWS_DEFAULT_REGION`; `us-east-1` when neither is set.
/// - `AWS_ENDPOINT_URL_S3`, then `AWS_ENDPOINT_URL`: a custom endpoint (MinIO, R2, moto, …), unless
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. Without one, AWS's regional endpoint.
/// - `KILN_S3_ADDRESSING=path|virtual`: path style (`ENDPOINT/bucket/key`) or virtual-host style
///   (`https://bucket.s3.REGION.amazonaws.com/key`). By default virtual-host on AWS, path style for a
///   custom endpoint or a bucket name with dots (a dotted host name fails AWS's TLS certificate).
struct S3Configuration: Sendable, CustomStringConvertible {
    enum Addressing: String, Sendable {
        case path
        case virtual
    }

    var bucket: String
    /// Key prefix without leading or trailing slash; empty for the bucket's root.
    var prefix: String
    var region: String
    /// A custom endpoint (scheme, host, port, optional path; no trailing slash), or nil for AWS.
    var endpoint: URL?
    var addressing: Addressing
    var credentials: S3Credentials

    init(bucket: String, prefix: String, environment: [String: String]) throws(RemoteCacheConfigurationError) {
        let location = "s3://\(bucket)" + (prefix.isEmpty ? "" : "/\(prefix)")
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        let keyID = value("AWS_ACCESS_KEY_ID"), secret = value("AWS_SECRET_ACCESS_KEY")
        guard let keyID, let secret else {
            let missing = [keyID == nil ? "AWS_ACCESS_KEY_ID" : nil, secret == nil ? "AWS_SECRET_ACCESS_KEY" : nil]
                .compactMap { $0 }.joined(separator: " and ")
            throw RemoteCacheConfigurationError("remote cache \(location) needs AWS credentials: set \(missing) "
                + "(and AWS_SESSION_TOKEN for temporary credentials). Kiln reads them from the environment only, "
                + "not from ~/.aws or an instance role.")
        }
        credentials = S3Credentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        self.bucket = bucket
        self.prefix = prefix.split(separator: "/").joined(separator: "/")
        region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
        guard !region.isEmpty, region.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) || (97...122).contains($0) }) else {
            throw RemoteCacheConfigurationError("remote cache \(location): AWS_REGION (or AWS_DEFAULT_REGION) '\(region)' "
                + "is not a region name; set it to the bucket's region, e.g. eu-west-1.")
        }
        let ignoreEndpoints = value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() == "true"
        if !ignoreEndpoints, let name = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"].first(where: { value($0) != nil }),
           let text = value(name) {
            endpoint = try Self.endpoint(text, variable: name, location: location)
        }
        switch value("KILN_S3_ADDRESSING")?.lowercased() {
        case nil: addressing = endpoint != nil || bucket.contains(".") ? .path : .virtual
        case "path": addressing = .path
        case "virtual": addressing = .virtual
        case let other?:
            throw RemoteCacheConfigurationError("remote cache \(location): KILN_S3_ADDRESSING '\(other)' is not an "
                + "addressing style; use path (ENDPOINT/bucket/key) or virtual (bucket.ENDPOINT/key), or unset it.")
        }
    }

    /// A custom endpoint as given, checked: http(s), a host, no credential, query or fragment.
    private static func endpoint(_ text: String, variable: String, location: String) throws(RemoteCacheConfigurationError) -> URL {
        guard let url = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text),
              ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false,
              url.user == nil, url.password == nil, url.query == nil, url.fragment == nil else {
            throw RemoteCacheConfigurationError("remote cache \(location): \(variable) is not an endpoint URL; set it "
                + "to http(s)://HOST[:PORT] (e.g. http://127.0.0.1:9000 for MinIO), or unset it for AWS.")
        }
        return url
    }

    /// `https://bucket.s3.eu-west-1.amazonaws.com/` or `http://127.0.0.1:9000/bucket/`: where keys
    /// start, with a trailing slash.
    var keyBase: String {
        guard let endpoint else {
            return addressing == .virtual ? "https://\(bucket).s3.\(region).amazonaws.com/"
                : "https://s3.\(region).amazonaws.com/\(bucket)/"
        }
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        let host = SigV4Signer.hostHeader(endpoint)
        let path = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        return addressing == .virtual ? "\(scheme)://\(bucket).\(host)\(path)/" : "\(scheme)://\(host)\(path)/\(bucket)/"
    }

    /// The URL of the object `key` (segments encoded by AWS's rules).
    func objectURL(_ key: String) -> URL {
        URL(string: keyBase + AWSURIEncoding.encode(key, keepSlash: true))!
    }

    /// The location and where it is reached; the key id, never the secret.
    var description: String {
        "s3://\(bucket)/\(prefix) in \(region) at \(keyBase) (\(addressing.rawValue) style), key \(credentials)"
    }
}
