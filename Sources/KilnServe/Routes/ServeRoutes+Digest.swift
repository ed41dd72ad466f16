import Foundation
import HTTPTypes
import Hummingbird
import KilnCore
import NIOCore

/// `GET`/`HEAD /images/{digest}[?w=N]`: a cached image by its SHA-256, immutable, so it carries
/// a year's `Cache-Control`, its digest as the ETag (`If-None-Match` → 304) and byte ranges.
extension ServeRoutes {
    func image(_ request: Request, rest: String, head: Bool) async -> Response {
        await handle("/images", request) { _ in
            // Exactly one path segment of 64 lowercase hex digits: `..`, `%2e%2e`, slashes,
            // uppercase and other lengths never reach a file name.
            guard ImageStore.isDigest(Substring(rest)) else {
                throw ServeError.invalid("digest", "An image is named by its SHA-256: 64 lowercase hex digits.", code: "invalid_digest")
            }
            let digest = rest
            let query = request.uri.queryParameters
            var width: Int?
            if let text = query.get("w") {
                guard let w = Int(text), ImageStore.thumbnailWidths.contains(w) else {
                    let list = ImageStore.thumbnailWidths.map(String.init).joined(separator: ", ")
                    throw ServeError.invalid("w", "'w' must be one of \(list).")
                }
                width = w
            }
            try authorizeImage(request, digest: digest, width: width)
            guard let original = await store.image(digest) else {
                throw ServeError(status: 404, "No image with this digest is in the cache.", code: "not_found", outcome: "refused:not_found")
            }
            var data = original, contentType = (ImageFormat(sniffing: original) ?? .png).mimeType
            var etag = "\"\(digest)\""
            if let width {
                do {
                    data = try await store.thumbnail(digest, width: width, source: original, toolkit: toolkit).data
                } catch {
                    throw ServeError(status: 422, "This image could not be made into a thumbnail.", code: "thumbnail_failed")
                }
                contentType = "image/webp"
                etag = "\"\(digest)-w\(width)\""
            }
            return Self.immutable(data, contentType: contentType, etag: etag, request: request, head: head)
        }
    }

    /// Who may read an image: a valid signature (a browser's `<img>`), else a bearer token. With
    /// signed URLs on, a bad or expired signature is 403 even with a token, and no signature and
    /// no token is 403; without them a token is required (401).
    func authorizeImage(_ request: Request, digest: String, width: Int?) throws {
        let query = request.uri.queryParameters
        let path = "/images/\(digest)" + (width.map { "?w=\($0)" } ?? "")
        if let signer {
            switch signer.verify(path: path, expires: query.get("exp"), signature: query.get("sig")) {
            case .valid: return
            case .expired: throw ServeError(status: 403, "This image link has expired.", code: "expired_signature", outcome: "refused:signature")
            case .invalid: throw ServeError(status: 403, "This image link's signature is not valid.", code: "invalid_signature", outcome: "refused:signature")
            case .missing:
                guard let token = TokenAuthenticator.bearer(request.headers[.authorization]),
                      authenticator.client(for: token) != nil else {
                    throw ServeError(status: 403, "This image link is not signed.", code: "missing_signature", outcome: "refused:signature")
                }
                return
            }
        }
        _ = try client(request)
    }

    /// The response for immutable bytes: conditional (304) and ranged (206, 416) as asked.
    static func immutable(_ data: Data, contentType: String, etag: String, request: Request, head: Bool) -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        headers[.eTag] = etag
        headers[.acceptRanges] = "bytes"
        if let match = request.headers[.ifNoneMatch],
           match.split(separator: ",").contains(where: { let t = $0.trimmingCharacters(in: .whitespaces); return t == etag || t == "*" || t == "W/" + etag }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        var status = HTTPResponse.Status.ok
        var slice = data
        if let range = request.headers[.range] {
            guard let (start, end) = byteRange(range, size: data.count) else {
                headers[.contentRange] = "bytes */\(data.count)"
                headers[.contentType] = nil
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            status = .partialContent
            headers[.contentRange] = "bytes \(start)-\(end)/\(data.count)"
            slice = data.subdata(in: data.startIndex + start ..< data.startIndex + end + 1)
        }
        headers[.contentLength] = String(slice.count)
        if head { return Response(status: status, headers: headers) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: slice)))
    }

    /// One `bytes=` range (`a-b`, `a-`, `-n`) within `size`, as inclusive offsets; nil when it is
    /// malformed, several, or outside the image.
    static func byteRange(_ header: String, size: Int) -> (Int, Int)? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let spec = text.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces), last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let n = Int(last), n > 0 else { return nil }
            return (max(0, size - n), size - 1)
        }
        guard let start = Int(first), start >= 0, start < size else { return nil }
        if last.isEmpty { return (start, size - 1) }
        guard let end = Int(last), end >= start else { return nil }
        return (start, min(end, size - 1))
    }
}
