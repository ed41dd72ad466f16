/// Writes JSON byte for byte as `JSONEncoder` does with `[.sortedKeys, .prettyPrinted,
/// .withoutEscapingSlashes]` (`CanonicalJSON.encode(_, pretty: true)`): two-space indents,
/// `"key" : value`, an empty container spanning a blank line, doubles in their shortest form
/// without a trailing `.0`. The caller writes keys in sorted order. Used where `JSONEncoder` is too
/// slow: one output-manifest entry per file, written while the build runs; cache records; and,
/// through `raw` and `string`, kiln.lock's own layout.
package struct PrettyJSONWriter {
    package private(set) var bytes: [UInt8] = []
    /// Members written so far in each open container.
    private var counts: [Int] = []
    /// Levels of indentation the value sits at (2 for an entry of the manifest's `files`).
    private let baseDepth: Int

    package init(capacity: Int = 1024, depth: Int = 0) {
        bytes.reserveCapacity(capacity)
        baseDepth = depth
    }

    /// Text written as it is: for a layout of the caller's own (kiln.lock's one line per output)
    /// around values written with `string`.
    package mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    package mutating func openObject() {
        bytes.append(UInt8(ascii: "{"))
        counts.append(0)
    }

    package mutating func closeObject() {
        close(UInt8(ascii: "}"))
    }

    package mutating func openArray() {
        bytes.append(UInt8(ascii: "["))
        counts.append(0)
    }

    package mutating func closeArray() {
        close(UInt8(ascii: "]"))
    }

    /// Starts an element of the open array; write its value next.
    package mutating func element() {
        if counts[counts.count - 1] > 0 { bytes.append(UInt8(ascii: ",")) }
        counts[counts.count - 1] += 1
        bytes.append(0x0A)
        indent()
    }

    private mutating func close(_ bracket: UInt8) {
        let members = counts.removeLast()
        bytes.append(0x0A)
        if members == 0 { bytes.append(0x0A) }
        indent()
        bytes.append(bracket)
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(0x20, count: (counts.count + baseDepth) * 2))
    }

    /// Starts a member of the open object; write its value next.
    package mutating func key(_ name: String) {
        if counts[counts.count - 1] > 0 { bytes.append(UInt8(ascii: ",")) }
        counts[counts.count - 1] += 1
        bytes.append(0x0A)
        indent()
        string(name)
        bytes.append(contentsOf: [0x20, UInt8(ascii: ":"), 0x20])
    }

    package mutating func string(_ value: String) {
        bytes.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            // Most strings (paths, digests, ids) need no escape: copy them whole.
            if utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                escape(utf8)
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(0x22)
    }

    private mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>) {
        for byte in utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
    }

    package mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    package mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    package mutating func double(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    // Members: `key` then the value; the optional forms write nothing for nil, as `encodeIfPresent`.

    package mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    package mutating func member(_ name: String, _ value: Int?) {
        guard let value else { return }
        key(name)
        int(value)
    }

    package mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    /// A `[String: String]` in sorted key order.
    package mutating func member(_ name: String, _ value: [String: String]?) {
        guard let value else { return }
        key(name)
        openObject()
        for (k, v) in value.sorted(by: { $0.key < $1.key }) { member(k, v) }
        closeObject()
    }
}
