import Foundation

extension SigV4Signer {
    /// A presigned URL (query-string authorization): `url` with the `X-Amz-*` parameters and the
    /// signature, good for `expires` seconds from `date`, usable without any header. Only `host` is
    /// signed and the payload is `UNSIGNED-PAYLOAD`, as the AWS tools presign.
    ///
    /// The URL carries a credential for its lifetime: never print or log it.
    func presignedURL(method: String, url: URL, expires: Int, at date: Date) -> String {
        let stamp = Self.timestamp(date)
        let host = Self.hostHeader(url)
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        var pairs = AWSURIEncoding.pairs(components?.percentEncodedQuery)
        pairs += [("X-Amz-Algorithm", Self.algorithm),
                  ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"),
                  ("X-Amz-Date", stamp),
                  ("X-Amz-Expires", String(expires)),
                  ("X-Amz-SignedHeaders", "host")]
        if let token = credentials.sessionToken { pairs.append(("X-Amz-Security-Token", token)) }
        let query = AWSURIEncoding.canonicalQuery(pairs)
        let path = AWSURIEncoding.canonicalPath(components?.percentEncodedPath ?? "")
        let canonical = [method, path, query, "host:\(host)\n", "host", Self.unsignedPayload].joined(separator: "\n")
        let signature = signature(stringToSign(canonical, timestamp: stamp), timestamp: stamp)
        return "\(url.scheme ?? "https")://\(host)\(path)?\(query)&X-Amz-Signature=\(signature)"
    }
}
