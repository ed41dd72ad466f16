/// A 1-based line and column that counts the way libyaml (and so Yams' `Mark`) does: a column is
/// one Unicode scalar, and CR, LF, CRLF, NEL, LS and PS each end a line. Positions the loader finds
/// itself (bad bytes, control characters, tabs) then agree with the parser's.
struct TextPosition: Equatable {
    var line = 1
    var column = 1
    private var afterCR = false

    init() {}

    /// The position just after `text`.
    init<S: Sequence>(after scalars: S) where S.Element == Unicode.Scalar {
        for scalar in scalars { advance(over: scalar) }
    }

    /// Moves past `scalar`.
    mutating func advance(over scalar: Unicode.Scalar) {
        defer { afterCR = scalar == "\r" }
        switch scalar {
        case "\n" where afterCR:
            return // the LF of a CRLF: the CR already ended the line
        case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}":
            line += 1
            column = 1
        default:
            column += 1
        }
    }
}
