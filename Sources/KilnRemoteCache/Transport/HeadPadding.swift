import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// Pads the head of an upload to exactly 1 KiB, so that an nginx store reads the head alone and
/// writes the body to its file at block-aligned offsets.
///
/// nginx reads a request's first `client_header_buffer_size` bytes (1 KiB by default) in one go.
/// Body bytes that arrived with the head are written to the temp file first, so every later write
/// of the body (8 KiB at a time) starts and ends inside a 4 KiB block, and ext4 zeroes the part of
/// each new block a write does not cover before copying into it. With a ~200-byte head, `perf` of
/// a push of 1,000 images to nginx on loopback put that zeroing (`zero_user_segments`,
/// `__pi_memset`) at 23 % of all the machine's samples, as much as the copy of the bytes itself;
/// curl, whose upload nginx writes from offset 0, showed none. curl gets there with
/// `Expect: 100-continue` (nginx answers once it has read the head; only then does the body go),
/// which AsyncHTTPClient cannot do: it sends the body right behind the head and drops 1xx answers.
/// A head of exactly 1 KiB fills nginx's first read whatever else is already on the socket.
///
/// The padding is one header of zeros, only on a PUT with a body of a block or more (a smaller
/// body is one block wherever it starts), and only when the head is shorter than 1 KiB without it.
/// It costs a store that reads heads differently under 1 KiB a request, and changes nothing else:
/// S3 signs the headers it names, and the padding is not one of them.
enum HeadPadding {
    /// The length a padded head has: nginx's default `client_header_buffer_size`.
    static let headBytes = 1024
    /// The smallest body worth padding for: one filesystem block.
    static let minimumBody = 4096
    static let header = "X-Kiln-Pad"
    /// The longest padding there can be, cut to length per request: `String(repeating:count:)`
    /// built it a character at a time, 3 % of a push's user time.
    private static let zeros = String(repeating: "0", count: headBytes)

    /// Adds the padding header to `request` (a PUT whose body has `bodyBytes` bytes) when it applies.
    static func pad(_ request: inout HTTPClientRequest, bodyBytes: Int) {
        guard request.method == .PUT, bodyBytes >= minimumBody,
              let length = headLength(request, bodyBytes: bodyBytes) else { return }
        // The header's own line: "X-Kiln-Pad: " and "\r\n" around the zeros.
        let count = headBytes - length - (header.utf8.count + 4)
        guard count >= 0 else { return }
        request.headers.add(name: header, value: String(Substring(zeros.utf8.prefix(count))))
    }

    /// The bytes of the head AsyncHTTPClient will send for `request`: the request line, each header
    /// as `Name: value\r\n` (with the `Host` and `Content-Length` it adds), and the blank line. Nil
    /// for a URL it cannot read (the request then goes without padding).
    static func headLength(_ request: HTTPClientRequest, bodyBytes: Int) -> Int? {
        guard let url = URL(string: request.url), let host = url.host, !host.isEmpty else { return nil }
        var target = url.path.isEmpty ? "/" : (URLComponents(url: url, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? url.path)
        if let query = url.query { target += "?" + query }
        var length = "PUT \(target) HTTP/1.1\r\n".utf8.count + 2
        for (name, value) in request.headers where !["content-length", "transfer-encoding"].contains(name.lowercased()) {
            length += name.utf8.count + value.utf8.count + 4
        }
        if !request.headers.contains(name: "host") {
            let defaultPort = url.scheme?.lowercased() == "https" ? 443 : 80
            let port = url.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
            length += "Host".utf8.count + (host + port).utf8.count + 4
        }
        length += "Content-Length".utf8.count + String(bodyBytes).utf8.count + 4
        return length
    }
}
