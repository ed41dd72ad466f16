@testable import KilnCore
import Testing

/// `JSONReader.rawString`: the string's bytes in place, found with memchr and checked eight bytes at
/// a time for control characters — at every offset, since the word scan has a tail.
@Suite struct JSONReaderRawStringTests {
    func read(_ text: String) throws -> (range: Range<Int>?, position: Int, string: String?) {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { buffer in
            var reader = JSONReader(buffer)
            let range = try reader.rawString()
            let string = range.map { String(decoding: buffer[$0], as: UTF8.self) }
            return (range, reader.position, string)
        }
    }

    @Test func aPlainStringIsFoundInPlace() throws {
        let long = String(repeating: "QUJD+/==", count: 1000)
        let result = try read("  \"\(long)\", 1")
        #expect(result.string == long && result.position == long.utf8.count + 4)
        #expect(try read("\"\"").string == "")
    }

    @Test func anEscapeLeavesTheStringForTheSlowPath() throws {
        let text = "\"ab\\/cd\""
        let bytes = Array(text.utf8)
        let (raw, string) = try bytes.withUnsafeBytes { buffer throws -> (Range<Int>?, String) in
            var reader = JSONReader(buffer)
            let raw = try reader.rawString()
            return (raw, try reader.string())
        }
        #expect(raw == nil && string == "ab/cd")
    }

    @Test func aControlCharacterIsRefusedAtEveryOffset() throws {
        for length in 1...40 {
            for offset in 0..<length {
                var chars = Array(repeating: UInt8(ascii: "A"), count: length)
                chars[offset] = 0x1F
                let text = "\"" + String(decoding: chars, as: UTF8.self) + "\""
                #expect(throws: JSONReader.SyntaxError.self, "length \(length), offset \(offset)") { try read(text) }
            }
        }
        // Bytes at and above 0x20 (multi-byte UTF-8 included) are not control characters.
        #expect(try read("\"\u{20}~\u{7F}é漢字🙂 ok\"").string == "\u{20}~\u{7F}é漢字🙂 ok")
    }

    @Test func anUnterminatedStringIsAnError() {
        #expect(throws: JSONReader.SyntaxError.self) { try read("\"QUJD") }
        #expect(throws: JSONReader.SyntaxError.self) { try read("QUJD\"") }
    }
}
