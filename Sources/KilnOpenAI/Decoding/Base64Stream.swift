import Foundation
import KilnCore

/// Decodes base64 text given piece by piece, as the body arrives, into the image's bytes, and hashes
/// them on the way: no copy of the text is kept and nothing is read twice.
///
/// Strict: only the 64 letters of the standard alphabet, and `=` padding that completes the last
/// group (none after it); a final group without its padding is accepted (some servers strip it).
struct Base64Stream {
    private(set) var image: Data
    private(set) var length = 0
    private(set) var failed = false
    private var hasher = Digest.Running()
    /// Sextets of the group not yet complete (0–3 of them), high bits first.
    private var pending: UInt32 = 0
    private var pendingCount = 0
    /// `=` seen: only more `=` may follow, and nothing after the group.
    private var padded = 0

    /// - Parameter expectedBytes: how many decoded bytes to make room for at once (from
    ///   `Content-Length`), so a 1.8 MB image is not copied as its buffer grows.
    init(expectedBytes: Int) {
        image = Data(count: max(expectedBytes, 3))
    }

    /// Decodes `text`, which holds only the string's own characters (no quote, no escape).
    mutating func feed(_ text: UnsafeRawBufferPointer) {
        guard !failed, !text.isEmpty else { return }
        reserve(length + (text.count / 4 + 1) * 3)
        // The state in locals while the image's bytes are open for writing.
        var (pending, pendingCount, padded, failed, o) = (self.pending, self.pendingCount, self.padded, false, length)
        let start = length
        Self.table.withUnsafeBufferPointer { (table: UnsafeBufferPointer<UInt8>) -> Void in
            image.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Void in
                var i = 0
                let n = text.count
                while i < n {
                    // Whole groups at once while nothing is pending: the common case, four letters to three bytes.
                    if pendingCount == 0 && padded == 0 {
                        while i + 4 <= n {
                            let a = table[Int(text[i])], b = table[Int(text[i + 1])]
                            let c = table[Int(text[i + 2])], d = table[Int(text[i + 3])]
                            guard (a | b | c | d) & 0xC0 == 0 else { break }
                            let group = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            out[o] = UInt8(truncatingIfNeeded: group >> 16)
                            out[o + 1] = UInt8(truncatingIfNeeded: group >> 8)
                            out[o + 2] = UInt8(truncatingIfNeeded: group)
                            o += 3
                            i += 4
                        }
                        if i == n { break }
                    }
                    let value = table[Int(text[i])]
                    i += 1
                    if value == Self.pad {
                        // `=` ends a group of two or three letters; its bits are flushed at `finish`.
                        guard pendingCount >= 2, pendingCount + padded < 4 else { failed = true; break }
                        padded += 1
                        continue
                    }
                    guard value < 64, padded == 0 else { failed = true; break }
                    pending = pending << 6 | UInt32(value)
                    pendingCount += 1
                    if pendingCount == 4 {
                        out[o] = UInt8(truncatingIfNeeded: pending >> 16)
                        out[o + 1] = UInt8(truncatingIfNeeded: pending >> 8)
                        out[o + 2] = UInt8(truncatingIfNeeded: pending)
                        o += 3
                        pending = 0
                        pendingCount = 0
                    }
                }
            }
        }
        var hasher = self.hasher
        image.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[start..<o])) }
        self.hasher = hasher
        (self.pending, self.pendingCount, self.padded, self.failed, length) = (pending, pendingCount, padded, failed, o)
    }

    /// Decodes one character given on its own (an escaped `\/`).
    mutating func feed(_ byte: UInt8) {
        withUnsafeBytes(of: byte) { feed($0) }
    }

    /// The decoded image and its SHA-256, or nil when the text was not valid base64.
    mutating func finish() -> (image: Data, sha256: String)? {
        guard !failed else { return nil }
        switch (pendingCount, padded) {
        case (0, 0):
            break
        case (2, 0), (2, 2), (3, 0), (3, 1):
            // The tail group: two letters carry one byte, three carry two.
            let bits = pending << (6 * UInt32(4 - pendingCount))
            let tail = [UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 8)]
                .prefix(pendingCount - 1)
            reserve(length + tail.count)
            image.replaceSubrange(length..<length + tail.count, with: tail)
            tail.withUnsafeBytes { hasher.update($0) }
            length += tail.count
            pendingCount = 0
        default:
            return nil
        }
        // Room made for a body of several images is given back rather than held with the answer.
        let kept = image.count - length > max(length / 4, 4096) ? Data(image.prefix(length)) : image.prefix(length)
        return (kept, hasher.finish())
    }

    private mutating func reserve(_ bytes: Int) {
        guard bytes > image.count else { return }
        image.count = max(bytes, image.count * 2)
    }

    private static let pad: UInt8 = 0xFE

    /// Each byte's sextet; 0xFF for what is not base64, `pad` for `=`.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, letter) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(letter)] = UInt8(i)
        }
        table[Int(UInt8(ascii: "="))] = pad
        return table
    }()
}
