import Foundation
import KilnCache
import NIOHTTP1

/// What makes a `RemoteStore` one kind of store: where each address lives, how a request is
/// authorized, and how the store's error documents read. `HTTPCacheLayout` (bazel-remote, nginx
/// WebDAV) and `S3CacheLayout` implement it; the store does the rest the same way for both.
protocol RemoteLayout: Sendable {
    /// The store's name in messages and `CacheBackend.name`: the location, never a credential.
    var name: String { get }
    /// Secret keys, tokens and passwords, scrubbed from any error text a message quotes.
    var secrets: [String] { get }
    /// The request for `method` on `address` (a valid one), authorized.
    /// - Parameter payloadSHA256: the body's SHA-256 as lowercase hex (the empty body's for HEAD and GET).
    func request(_ method: HTTPMethod, _ address: CacheAddress, payloadSHA256: String) -> RemoteRequest
    /// What a failed answer's body says, and what the person should check.
    func explain(_ answer: RemoteAnswer) -> AnswerExplanation
}

extension RemoteLayout {
    /// `<base>/cas/<sha256>` or `<base>/ac/<key>` under `base` (no trailing slash; empty for none):
    /// the bazel-remote layout, which both kinds of store use.
    static func path(_ address: CacheAddress, under base: String) -> String {
        let folder = address.isBlob ? "cas" : "ac"
        return (base.isEmpty ? "" : base + "/") + folder + "/" + address.name
    }

    /// `GET blob 3f2a…`: a request as messages name it.
    static func label(_ method: HTTPMethod, _ address: CacheAddress) -> String {
        "\(method.rawValue) \(address)"
    }
}
