import Foundation
import KilnCore
@testable import KilnManifest
import Testing

/// The loader's messages for files that are not good YAML text: encodings, control characters,
/// syntax, duplicate keys and aliases. The bad-manifest corpus pins exact messages; these tests
/// cover what a fixture file shows poorly (every control character, bytes built in code, every
/// truncation of a manifest).
@Suite struct YAMLMessagesTests {
    /// Writes `bytes` to a temporary `NAME.yaml` and loads it.
    static func load(bytes: [UInt8], name: String = "m") throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-yaml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("\(name).yaml")
        try Data(bytes).write(to: url)
        return ManifestLoader.load(fileAt: url, displayPath: "\(name).yaml").diagnostics.map(\.description)
    }

    static let disallowed: [UInt32] = Array(0x00...0x08) + [0x0B, 0x0C] + Array(0x0E...0x1F) + [0x7F, 0x80, 0x9F, 0xFFFE]

    @Test(arguments: disallowed)
    func controlCharacterIsPlaced(_ code: UInt32) throws {
        let text = "version: 1\nassets:\n  a: { prompt: \"ab\(Character(Unicode.Scalar(code)!))\" }\n"
        let hex = String(code, radix: 16, uppercase: true)
        let diagnostics = try Self.load(bytes: Array(text.utf8))
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("m.yaml:3:19: error: ") == true)
        #expect(diagnostics.first?.contains(hex.count < 4 ? "U+" + String(repeating: "0", count: 4 - hex.count) + hex : "U+" + hex) == true)
    }

    @Test(arguments: disallowed)
    func controlCharacterInTextIsPlaced(_ code: UInt32) {
        // The same through `load(text:)`, which does not read a file.
        let text = "version: 1\nassets:\n  a: { prompt: \"ab\(Character(Unicode.Scalar(code)!))\" }\n"
        let diagnostics = Fixtures.load(text).diagnostics.map(\.description)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.hasPrefix("test.yaml:3:19: error: ") == true)
    }

    @Test func tabLineFeedAndCarriageReturnAreText() throws {
        let text = "version: 1\r\nassets:\r\n  a: { prompt: \"a\tb\" }\r\n"
        #expect(try Self.load(bytes: Array(text.utf8)).isEmpty)
    }

    @Test func utf8ByteOrderMarkIsAccepted() throws {
        let text = "\u{FEFF}version: 1\nassets:\n  a: { prompt: x }\n"
        #expect(try Self.load(bytes: Array(text.utf8)).isEmpty)
    }

    @Test func everyTwoByteNonUTF8IsPlaced() throws {
        // Every byte that cannot start UTF-8, after "a" on line 2, is reported at 2:2.
        for byte in [UInt8](0x80...0xC1) + [UInt8](0xF5...0xFF) {
            let diagnostics = try Self.load(bytes: Array("x: 1\na".utf8) + [byte, 0x0A])
            #expect(diagnostics.count == 1)
            #expect(diagnostics.first?.hasPrefix("m.yaml:2:2: error: not UTF-8 text: byte 0x") == true, "\(byte)")
        }
    }

    @Test func missingFileAndFolderAreSaidPlainly() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-kiln-\(UUID().uuidString)/m.yaml")
        let folder = FileManager.default.temporaryDirectory
        #expect(ManifestLoader.load(fileAt: missing, displayPath: "m.yaml").diagnostics.map(\.description)
            == ["error: cannot read 'm.yaml': no such file"])
        #expect(ManifestLoader.load(fileAt: folder, displayPath: "tmp").diagnostics.map(\.description)
            == ["error: cannot read 'tmp': it is a folder, not a file"])
    }

    /// libyaml's and Foundation's own words, which must not reach a user.
    static let internalWords = ["while scanning", "while parsing", "did not find expected", "could not find expected",
                                "NSCocoaErrorDomain", "YamlError", "Yams", "found character", "in this context"]

    @Test func noInternalWordsInTheCorpus() {
        for name in BadManifestTests.names {
            for diagnostic in Fixtures.load("bad", name).diagnostics {
                let leaked = Self.internalWords.filter { diagnostic.message.contains($0) }
                #expect(leaked.isEmpty, "\(name): \(diagnostic)")
            }
        }
    }

    /// Every prefix of a manifest rich in flow collections, quotes and aliases loads without a crash,
    /// and each diagnostic has a position on a line of the text and no internal wording.
    @Test func everyTruncationIsPlaced() {
        let text = """
        version: 1
        defaults: &base { quality: high, size: "1024x1024" }
        assets:
          hero:
            prompt: 'a "quoted" fox'
            images: [inputs/product.png, { a: [1, 2] }]
            steps:
              g: { generate: { prompt: "x\\ty", <<: *base } }

        """
        let scalars = Array(text.unicodeScalars)
        for count in 0...scalars.count {
            var prefix = String.UnicodeScalarView()
            prefix.append(contentsOf: scalars[..<count])
            let lines = String(prefix).split(separator: "\n", omittingEmptySubsequences: false).count
            for diagnostic in Fixtures.load(String(prefix)).diagnostics {
                let line = diagnostic.location?.line ?? 0
                #expect(line >= 1 && line <= max(lines, 1), "\(count): \(diagnostic)")
                #expect(Self.internalWords.allSatisfy { !diagnostic.message.contains($0) }, "\(count): \(diagnostic)")
            }
        }
    }

    @Test func aliasBombIsRefusedAtAnAlias() {
        var text = "version: 1\nl0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
        for level in 1...12 {
            text += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let diagnostics = Fixtures.load(text).diagnostics
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("alias bomb") == true)
        #expect(diagnostics.first?.location?.line == 6)
    }

    @Test func aliasesBelowTheLimitAreFine() {
        // 200 assets sharing one 5-bullet prompt: far below the limit, a valid manifest.
        var text = "version: 1\nassets:\n  a: { prompt: &p [a red fox, on a hill, at dawn, in fog, wide shot] }\n"
        for index in 0..<200 { text += "  a\(index): { prompt: *p }\n" }
        #expect(Fixtures.load(text).diagnostics.isEmpty)
    }

    @Test func everyDuplicateIsReportedOnce() {
        let text = "version: 1\nassets:\n  a: { prompt: x, prompt: y, prompt: z }\n  a: { prompt: w }\n"
        #expect(Fixtures.load(text).diagnostics.map(\.description) == [
            "test.yaml:3:19: error: duplicate key 'prompt' (first at line 3, column 8)",
            "test.yaml:3:30: error: duplicate key 'prompt' (first at line 3, column 8)",
            "test.yaml:4:3: error: duplicate key 'a' (first at line 3)",
        ])
    }
}
