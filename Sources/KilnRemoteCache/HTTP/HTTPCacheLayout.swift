import Foundation
import KilnCache
import NIOHTTP1

/// An HTTP cache in the bazel-remote layout: `<base>/cas/<sha256>` for blobs and `<base>/ac/<key>`
/// for actions, read with GET and HEAD and written with PUT. Works with bazel-remote and with nginx's
/// WebDAV module (`dav_methods PUT; create_full_put_path on;`), which writes a PUT's body to a temp
/// file and renames it into place, so a reader sees a whole value or none.
///
/// Credentials, optional, come from the environment (`HTTPCacheAuthorization`):
/// `KILN_REMOTE_CACHE_TOKEN` for a bearer token, or `KILN_REMOTE_CACHE_USER` and
/// `KILN_REMOTE_CACHE_PASSWORD` for basic auth. They are sent with every request and never logged.
struct HTTPCacheLayout: RemoteLayout {
    /// The base URL without a trailing slash: `http://cache.internal:8080/kiln`.
    let base: String
    let authorization: HTTPCacheAuthorization?

    init(base url: URL, environment: [String: String]) throws(RemoteCacheConfigurationError) {
        var text = url.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        base = text
        authorization = try HTTPCacheAuthorization.from(environment, location: text)
    }

    var name: String { base }

    var secrets: [String] { authorization.map { [$0.secret, $0.header] } ?? [] }

    func request(_ method: HTTPMethod, _ address: CacheAddress, payloadSHA256: String) -> RemoteRequest {
        var headers = HTTPHeaders()
        if let authorization { headers.add(name: "Authorization", value: authorization.header) }
        if method == .PUT { headers.add(name: "Content-Type", value: "application/octet-stream") }
        return RemoteRequest(method: method, url: base + "/" + Self.path(address, under: ""), headers: headers,
                             label: Self.label(method, address))
    }

    /// What to check for the statuses a misconfigured cache answers with.
    func explain(_ answer: RemoteAnswer) -> AnswerExplanation {
        switch answer.status {
        case 401, 403:
            let sent = authorization.map { "Kiln sent \($0)" } ?? "Kiln sent no credentials"
            return AnswerExplanation(hint: "\(sent): set \(HTTPCacheAuthorization.tokenVariable) (a bearer token) or "
                + "\(HTTPCacheAuthorization.userVariable) and \(HTTPCacheAuthorization.passwordVariable) (basic auth) "
                + "to credentials the cache accepts, and check that they may write (PUT).")
        case 405, 501:
            return AnswerExplanation(hint: "The server does not take this method: an HTTP cache needs GET, HEAD and PUT "
                + "(nginx: the WebDAV module with 'dav_methods PUT; create_full_put_path on;').")
        case 409:
            return AnswerExplanation(hint: "The server would not make the folder the value goes in "
                + "(nginx: 'create_full_put_path on;').")
        case 413:
            return AnswerExplanation(hint: "The value is over the server's body size limit; raise it "
                + "(nginx: client_max_body_size).")
        default:
            return AnswerExplanation()
        }
    }
}
