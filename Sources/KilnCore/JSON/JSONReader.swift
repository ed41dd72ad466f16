#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small strict JSON reader over UTF-8 bytes, driven by the caller's schema: it reads strings,
/// integers and objects where the caller expects them and skips anything else. Hand-written
/// because `JSONDecoder` takes ~300 ms for a 10,000-step lockfile; this takes a few.
package struct JSONReader {
    package struct SyntaxError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        package var description: String { "line \(line): \(message)" }
    }

    private let bytes: UnsafeRawBufferPointer
    package private(set) var position = 0

    package init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// An error at the current position, with its 1-based line number.
    package func error(_ message: String) -> SyntaxError {
        var line = 1
        for i in 0..<min(position, bytes.count) where bytes[i] == 0x0A { line += 1 }
        return SyntaxError(line: line, message: message)
    }

    package mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    package var atEnd: Bool { position >= bytes.count }

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    package mutating func expect(_ byte: UInt8, _ what: String) throws {
        skipWhitespace()
        guard peek == byte else { throw error("expected \(what)") }
        position += 1
    }

    /// Reads an object, calling `member` with each key; `member` must consume the value.
    package mutating func object(_ member: (String, inout JSONReader) throws -> Void) throws {
        try expect(0x7B, "'{'")
        skipWhitespace()
        if peek == 0x7D { position += 1; return }
        while true {
            skipWhitespace()
            let key = try string()
            try expect(0x3A, "':' after \"\(key)\"")
            try member(key, &self)
            skipWhitespace()
            guard let next = peek else { throw error("unexpected end of file inside an object") }
            position += 1
            if next == 0x7D { return }
            guard next == 0x2C else { throw error("expected ',' or '}'") }
        }
    }

    /// Reads an array, calling `element` for each; `element` must consume the value.
    package mutating func array(_ element: (inout JSONReader) throws -> Void) throws {
        try expect(0x5B, "'['")
        skipWhitespace()
        if peek == 0x5D { position += 1; return }
        while true {
            try element(&self)
            skipWhitespace()
            guard let next = peek else { throw error("unexpected end of file inside an array") }
            position += 1
            if next == 0x5D { return }
            guard next == 0x2C else { throw error("expected ',' or ']'") }
        }
    }

    package mutating func string() throws -> String {
        try expect(0x22, "a string")
        let start = position
        // Fast path: no escapes, so the bytes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == 0x22 {
                position += 1
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position - 1]), as: UTF8.self)
            }
            if byte == 0x5C { break }
            if byte < 0x20 { throw error("control character inside a string") }
            position += 1
        }
        var scalars = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case 0x22: return String(decoding: scalars, as: UTF8.self)
            case 0x5C: try unescape(into: &scalars)
            case 0..<0x20: throw error("control character inside a string")
            default: scalars.append(byte)
            }
        }
        throw error("unterminated string")
    }

    private mutating func unescape(into out: inout [UInt8]) throws {
        guard let byte = peek else { throw error("unterminated string") }
        position += 1
        switch byte {
        case 0x22, 0x5C, 0x2F: out.append(byte)
        case 0x62: out.append(0x08)
        case 0x66: out.append(0x0C)
        case 0x6E: out.append(0x0A)
        case 0x72: out.append(0x0D)
        case 0x74: out.append(0x09)
        case 0x75:
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
                guard peek == 0x5C, position + 1 < bytes.count, bytes[position + 1] == 0x75 else {
                    throw error("unpaired surrogate in \\u escape")
                }
                position += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
            out.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            position += 1
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    package mutating func integer() throws -> Int {
        skipWhitespace()
        var negative = false
        if peek == 0x2D { negative = true; position += 1 }
        var value = 0
        var digits = 0
        while let byte = peek, (0x30...0x39).contains(byte) {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int(byte - 0x30))
            guard !o1, !o2 else { throw error("integer too large") }
            value = sum
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw error("expected an integer") }
        if let byte = peek, byte == 0x2E || byte == 0x65 || byte == 0x45 { throw error("expected an integer") }
        return negative ? -value : value
    }

    /// The JSON number here as its text, held to JSON's grammar
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`), and whether it has neither fraction nor
    /// exponent. `integer()` and `skipValue()` take more than the grammar allows (`01`, `1-2`);
    /// a reader that must refuse what `JSONDecoder` refuses reads numbers with this.
    package mutating func numberText() throws -> (text: String, integral: Bool) {
        skipWhitespace()
        let start = position
        var integral = true
        func digits(_ reader: inout JSONReader) -> Int {
            var count = 0
            while let byte = reader.peek, (0x30...0x39).contains(byte) { reader.position += 1; count += 1 }
            return count
        }
        if peek == 0x2D { position += 1 }
        if peek == 0x30 {
            position += 1
        } else if digits(&self) == 0 {
            throw error("expected a number")
        }
        if peek == 0x2E {
            integral = false
            position += 1
            guard digits(&self) > 0 else { throw error("expected a digit after '.'") }
        }
        if let byte = peek, byte == 0x65 || byte == 0x45 {
            integral = false
            position += 1
            if let sign = peek, sign == 0x2B || sign == 0x2D { position += 1 }
            guard digits(&self) > 0 else { throw error("expected a digit in the exponent") }
        }
        return (String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self), integral)
    }

    /// An integer as JSON writes one (`numberText`, no fraction or exponent) that `Int` holds.
    package mutating func strictInteger() throws -> Int {
        let (text, integral) = try numberText()
        guard integral, let value = Int(text) else { throw error("expected an integer") }
        return value
    }

    /// A number as JSON writes one (`numberText`) that a `Double` holds: not one so large it is
    /// infinite, nor one with a digit other than 0 so small it is 0 (`JSONDecoder` refuses both).
    package mutating func strictNumber() throws -> Double {
        let text = try numberText().text
        guard let value = Double(text), value.isFinite else { throw error("number out of range") }
        if value == 0, text.utf8.prefix(while: { $0 != 0x65 && $0 != 0x45 }).contains(where: { (0x31...0x39).contains($0) }) {
            throw error("number out of range")
        }
        return value
    }

    /// Skips one value of any type.
    package mutating func skipValue() throws {
        skipWhitespace()
        switch peek {
        case 0x7B: try object { _, reader in try reader.skipValue() }
        case 0x5B: try array { reader in try reader.skipValue() }
        case 0x22: _ = try string()
        case 0x74: try literal("true")
        case 0x66: try literal("false")
        case 0x6E: try literal("null")
        case let byte? where byte == 0x2D || (0x30...0x39).contains(byte):
            while let b = peek, b == 0x2D || b == 0x2B || b == 0x2E || b == 0x65 || b == 0x45 || (0x30...0x39).contains(b) {
                position += 1
            }
        default: throw error("expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("expected a value") }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] { throw error("expected a value") }
        position += count
    }

    /// Whether the next value is `null` (consumed if so).
    package mutating func null() throws -> Bool {
        skipWhitespace()
        guard peek == 0x6E else { return false }
        try literal("null")
        return true
    }
}
