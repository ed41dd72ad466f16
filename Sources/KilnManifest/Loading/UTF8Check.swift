/// Finds the first byte that is not well-formed UTF-8 (Unicode table 3-7) and says why in words,
/// since Foundation's decoder only says that decoding failed, not where or how.
enum UTF8Check {
    struct Problem: Equatable {
        /// Offset of the first bad byte.
        var offset: Int
        var byte: UInt8
        /// Why it is bad, as a phrase: "starts an overlong encoding", …
        var reason: String
        /// Whether the byte reads naturally as Latin-1 / Windows-1252 text (é, ü, ß, …).
        var looksLikeLatin1: Bool
    }

    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            switch check(bytes, at: index) {
            case let .valid(length):
                index += length
            case let .invalid(reason, latin1):
                return Problem(offset: index, byte: lead, reason: reason, looksLikeLatin1: latin1)
            }
        }
        return nil
    }

    private enum Outcome {
        case valid(Int)
        case invalid(String, latin1: Bool)
    }

    /// Checks the multi-byte sequence whose lead byte is at `index`.
    private static func check(_ bytes: [UInt8], at index: Int) -> Outcome {
        let lead = bytes[index]
        func byte(_ k: Int) -> UInt8? { index + k < bytes.count ? bytes[index + k] : nil }
        func isContinuation(_ b: UInt8?) -> Bool { b.map { $0 & 0xC0 == 0x80 } ?? false }

        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x80...0xBF:
            return .invalid("is a continuation byte with no lead byte before it", latin1: true)
        case 0xC0, 0xC1:
            return isContinuation(byte(1))
                ? .invalid("starts an overlong encoding, which UTF-8 forbids", latin1: false)
                : .invalid("is never used in UTF-8", latin1: true)
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xE1...0xEF: length = 3
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default:
            return .invalid("is never used in UTF-8", latin1: true)
        }
        guard let second = byte(1) else {
            return .invalid("starts a multi-byte sequence that the end of the file cuts off", latin1: true)
        }
        if isContinuation(second), !secondRange.contains(second) {
            if lead == 0xED { return .invalid("starts an encoded UTF-16 surrogate, which UTF-8 forbids", latin1: false) }
            if lead == 0xF4 { return .invalid("starts a code beyond U+10FFFF, the end of Unicode", latin1: false) }
            return .invalid("starts an overlong encoding, which UTF-8 forbids", latin1: false)
        }
        for k in 1..<length where !isContinuation(byte(k)) {
            return byte(k) == nil
                ? .invalid("starts a multi-byte sequence that the end of the file cuts off", latin1: true)
                : .invalid("is not followed by the continuation bytes UTF-8 needs", latin1: true)
        }
        return .valid(length)
    }
}
