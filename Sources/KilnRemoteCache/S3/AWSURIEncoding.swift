import Foundation

/// Percent-encoding as AWS Signature Version 4 wants it: the unreserved characters
/// (`A–Z a–z 0–9 - _ . ~`) kept, every other byte of the UTF-8 `%XX` with uppercase hex. S3 paths
/// keep `/` between segments; query names and values encode it too.
enum AWSURIEncoding {
    /// `text` encoded; `/` kept when `keepSlash`.
    static func encode(_ text: some StringProtocol, keepSlash: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A URL's percent-encoded path made canonical: each segment decoded, then encoded by AWS's
    /// rules (so `%7e`, `~` and `%7E` all sign as `~`); `/` for an empty path. S3's paths are not
    /// normalized otherwise (no `.`/`..` folding, no merged slashes).
    static func canonicalPath(_ encodedPath: String) -> String {
        guard !encodedPath.isEmpty else { return "/" }
        return encodedPath.split(separator: "/", omittingEmptySubsequences: false)
            .map { encode($0.removingPercentEncoding ?? String($0)) }
            .joined(separator: "/")
    }

    /// A percent-encoded query as SigV4 signs it: each name and value decoded, then encoded by AWS's
    /// rules, the pairs sorted by name and then value, `name=value` joined with `&`.
    static func canonicalQuery(_ encodedQuery: String?) -> String {
        canonicalQuery(pairs(encodedQuery))
    }

    /// Pairs (not encoded) as SigV4 signs them: encoded, sorted, joined.
    static func canonicalQuery(_ pairs: [(name: String, value: String)]) -> String {
        let encoded: [(name: String, value: String)] = pairs.map { (encode($0.name), encode($0.value)) }
        let sorted = encoded.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        return sorted.map { $0.name + "=" + $0.value }.joined(separator: "&")
    }

    /// The decoded name–value pairs of a percent-encoded query (`a=1&b` → `[(a, 1), (b, "")]`).
    static func pairs(_ encodedQuery: String?) -> [(name: String, value: String)] {
        guard let encodedQuery, !encodedQuery.isEmpty else { return [] }
        return encodedQuery.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in part.removingPercentEncoding ?? String(part) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
