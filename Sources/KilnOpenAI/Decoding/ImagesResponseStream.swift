import Foundation
import KilnCore

/// An `ImagesResponse` read as it arrives, piece by piece: each `b64_json` string is decoded and
/// hashed the moment its text comes in (`Base64Stream`), and only the rest of the body — a few
/// hundred bytes of `usage`, `size` and the like — is kept, with `"#0"`, `"#1"`… where the images'
/// text was. `ImagesResponseDecoder` then reads that small skeleton.
///
/// So a 2.4 MB answer is never held whole: memory per call is the decoded image it carries.
struct ImagesResponseStream {
    /// The body without the images' text.
    private(set) var skeleton: [UInt8] = []
    /// Each `b64_json` in the order it came; nil for text that was not valid base64.
    private(set) var images: [(image: Data, sha256: String)?] = []
    /// Bytes fed so far.
    private(set) var byteCount = 0

    private let expectedBytes: Int?
    private var current: Base64Stream?
    /// In JSON outside the images: inside a string, after its backslash.
    private var inString = false, escaped = false, stringHasEscape = false
    private var stringStart = 0
    /// `"b64_json"` then `:` read as the last tokens: the next string is an image.
    private var afterKey: KeyProgress = .none
    /// Inside an image's text, the escape read so far (`\`, `\u00`…).
    private var escape: [UInt8] = []

    private enum KeyProgress { case none, key, colon }

    /// - Parameter expectedBytes: the body's `Content-Length`, when sent: room for the decoded
    ///   image is made from it at once.
    init(expectedBytes: Int?) {
        self.expectedBytes = expectedBytes
    }

    /// True when the body ended inside an image's text or inside a string.
    var isCutShort: Bool { current != nil || inString }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        var i = 0
        let n = bytes.count
        while i < n {
            if current != nil {
                i = feedImage(bytes, from: i)
                continue
            }
            let byte = bytes[i]
            i += 1
            skeleton.append(byte)
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                    stringHasEscape = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    afterKey = !stringHasEscape && skeleton[stringStart..<(skeleton.count - 1)].elementsEqual("b64_json".utf8)
                        ? .key : .none
                }
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                continue
            case UInt8(ascii: ":") where afterKey == .key:
                afterKey = .colon
            case UInt8(ascii: "\"") where afterKey == .colon:
                afterKey = .none
                current = Base64Stream(expectedBytes: imageRoom)
            case UInt8(ascii: "\""):
                afterKey = .none
                inString = true
                stringHasEscape = false
                stringStart = skeleton.count
            default:
                afterKey = .none
            }
        }
        byteCount += n
    }

    /// Decoded bytes to make room for: three quarters of what is left of the body.
    private var imageRoom: Int {
        guard let expectedBytes else { return 256 << 10 }
        return max(expectedBytes - byteCount, 0) / 4 * 3
    }

    /// Feeds an image's text from `start` up to its closing quote; returns where it stopped.
    private mutating func feedImage(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        let n = bytes.count
        if !escape.isEmpty {
            // An escape begun in an earlier piece: only `\/` and `\u00XX` can stand for base64 letters.
            while i < n && !escapeComplete { escape.append(bytes[i]); i += 1 }
            if escapeComplete { resolveEscape() }
            return i
        }
        var end = i
        while end < n && bytes[end] != UInt8(ascii: "\"") && bytes[end] != UInt8(ascii: "\\") { end += 1 }
        current!.feed(UnsafeRawBufferPointer(rebasing: bytes[i..<end]))
        guard end < n else { return end }
        if bytes[end] == UInt8(ascii: "\\") {
            // `\/`, the escape servers that escape slashes send thousands of times per image: read
            // in place when both bytes are here; any other escape, or one split across pieces, below.
            if end + 1 < n && bytes[end + 1] == UInt8(ascii: "/") {
                current!.feed(UInt8(ascii: "/"))
                return end + 2
            }
            escape = [UInt8(ascii: "\\")]
            return end + 1
        }
        // The closing quote: the image is done, and the skeleton says where it was.
        images.append(current!.finish())
        current = nil
        skeleton.append(contentsOf: "#\(images.count - 1)\"".utf8)
        return end + 1
    }

    private var escapeComplete: Bool {
        escape.count >= 2 && (escape[1] != UInt8(ascii: "u") || escape.count == 6)
    }

    private mutating func resolveEscape() {
        defer { escape = [] }
        if escape[1] == UInt8(ascii: "/") { return current!.feed(UInt8(ascii: "/")) }
        if escape[1] == UInt8(ascii: "u"), let code = UInt32(String(decoding: escape[2...], as: UTF8.self), radix: 16),
           code < 0x80 {
            return current!.feed(UInt8(code))
        }
        current!.feed(UInt8(ascii: "!"))   // any other escape cannot be base64: the image is refused
    }
}
