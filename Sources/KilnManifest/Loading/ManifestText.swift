import KilnCore

/// Turns a manifest file's bytes into text, or says at which line and column, and why, they are not
/// the UTF-8 text YAML needs: another encoding, an image or other binary, a bad byte. A UTF-8
/// byte-order mark is accepted and dropped (so columns on line 1 stay right).
enum ManifestText {
    static func decode(_ data: [UInt8], file: String) throws(DiagnosticsError) -> String {
        var bytes = data
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let encoding = byteOrderMark(bytes) {
            throw DiagnosticsError([.error("not UTF-8 text: it is \(encoding) text with a byte-order mark; save it as UTF-8",
                                    at: SourceLocation(file: file, line: 1, column: 1))])
        }
        if let problem = notText(bytes) {
            throw DiagnosticsError([.error(problem.message, at: location(of: problem.offset, in: bytes, file: file))])
        }
        return String(decoding: bytes, as: UTF8.self) // control characters: see `ManifestLoader.compose`
    }

    private struct NotText {
        var offset: Int
        var message: String
    }

    /// The first sign that `bytes` is not UTF-8 text, described as plainly as can be guessed.
    private static func notText(_ bytes: [UInt8]) -> NotText? {
        let invalid = UTF8Check.firstProblem(in: bytes)
        let firstNUL = bytes.firstIndex(of: 0)
        let firstBad = [invalid?.offset, firstNUL].compactMap { $0 }.min()
        guard let offset = firstBad else { return nil }
        if let kind = FileSignature.describe(bytes) {
            return NotText(offset: offset, message: "not UTF-8 text: it looks like \(kind), not a YAML manifest")
        }
        if let order = utf16WithoutMark(bytes) {
            return NotText(offset: offset, message: "not UTF-8 text: it looks like UTF-16 (\(order)) text; save it as UTF-8")
        }
        guard let problem = invalid else {
            return nil // NUL bytes in otherwise good UTF-8: reported where they are, as control characters
        }
        if firstNUL != nil {
            return NotText(offset: offset, message: "not UTF-8 text: it looks like binary data, not a YAML manifest")
        }
        let hint = problem.looksLikeLatin1 ? " (is the file Latin-1 or Windows-1252? save it as UTF-8)" : ""
        let hex = "0x" + String(problem.byte, radix: 16, uppercase: true)
        return NotText(offset: offset, message: "not UTF-8 text: byte \(hex) \(problem.reason)\(hint)")
    }

    /// "UTF-16 (little-endian)", … when `bytes` starts with a UTF-16 or UTF-32 byte-order mark.
    private static func byteOrderMark(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return "UTF-32 (big-endian)" }
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return "UTF-32 (little-endian)" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16 (big-endian)" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16 (little-endian)" }
        return nil
    }

    /// "little-endian" or "big-endian" when NUL bytes fill one half of the byte pairs and not the
    /// other, as ASCII text saved as UTF-16 does.
    private static func utf16WithoutMark(_ bytes: [UInt8]) -> String? {
        let head = bytes.prefix(1024)
        guard head.count >= 4 else { return nil }
        var zeros = [0, 0]
        for (index, byte) in head.enumerated() where byte == 0 { zeros[index % 2] += 1 }
        let pairs = head.count / 2
        if zeros[1] * 10 >= pairs * 3, zeros[0] * 20 < pairs { return "little-endian" }
        if zeros[0] * 10 >= pairs * 3, zeros[1] * 20 < pairs { return "big-endian" }
        return nil
    }

    /// Line and column of byte `offset`, counting the (valid) text before it.
    private static func location(of offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
        let before = String(decoding: bytes[..<offset], as: UTF8.self)
        let position = TextPosition(after: before.unicodeScalars)
        return SourceLocation(file: file, line: position.line, column: position.column)
    }
}
