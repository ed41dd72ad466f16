import KilnCore

/// Finds characters YAML does not allow in a file (C0 controls other than tab, LF and CR; DEL; C1
/// controls other than NEL; U+FFFE and U+FFFF), each at its own line and column. libyaml would only
/// say "control characters are not allowed" with a byte offset.
enum ControlCharacters {
    /// At most this many are listed one by one; a file full of them is summed up after that.
    static let listLimit = 10

    static func find(in text: String, file: String) -> [Diagnostic] {
        var position = TextPosition()
        var found: [Diagnostic] = []
        var more = 0
        for scalar in text.unicodeScalars {
            if !isAllowed(scalar) {
                if found.count < listLimit {
                    found.append(.error(message(for: scalar), at: SourceLocation(file: file, line: position.line,
                                                                                   column: position.column)))
                } else {
                    more += 1
                }
            }
            position.advance(over: scalar)
        }
        if more > 0, let last = found.last {
            found.append(.error("\(more) more control character\(more == 1 ? "" : "s") after this one (is this a text file?)",
                                at: last.location))
        }
        return found
    }

    /// The YAML 1.1 printable set that libyaml's reader accepts.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0x7E, 0x85, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    private static let names: [UInt32: String] = [
        0x00: "NUL", 0x01: "SOH", 0x02: "STX", 0x03: "ETX", 0x04: "EOT", 0x05: "ENQ", 0x06: "ACK", 0x07: "BEL",
        0x08: "backspace", 0x0B: "vertical tab", 0x0C: "form feed", 0x0E: "SO", 0x0F: "SI", 0x10: "DLE",
        0x11: "DC1", 0x12: "DC2", 0x13: "DC3", 0x14: "DC4", 0x15: "NAK", 0x16: "SYN", 0x17: "ETB",
        0x18: "CAN", 0x19: "EM", 0x1A: "SUB", 0x1B: "escape", 0x1C: "FS", 0x1D: "GS", 0x1E: "RS",
        0x1F: "US", 0x7F: "DEL",
    ]

    static func message(for scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        func padded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - hex.count)) + hex }
        if scalar.value == 0xFFFE || scalar.value == 0xFFFF {
            return "U+\(hex) is not a character and is not allowed in YAML (was the file converted from UTF-16?)"
        }
        let name = names[scalar.value].map { " (\($0))" } ?? ""
        let escape = scalar.value <= 0xFF ? "\\x" + padded(2) : "\\u" + padded(4)
        return "control character U+\(padded(4))\(name) is not allowed in YAML: delete it, "
            + "or write it as \(escape) inside a double-quoted string if it is meant"
    }
}
