import Foundation

/// Manifests that are not what YAML text should be: other encodings, binaries, unclosed constructs,
/// duplicate keys, aliases. The message points at the construct, in words a person can act on.
enum TextCases {
    static func bytes(_ name: String, _ data: Data, at location: String, says message: String) -> HostileCase {
        HostileCase(name, "(bytes)", at: location, says: message).with { $0.manifestBytes = data }
    }

    static var all: [HostileCase] {
        let latin1 = Data("version: 1\nassets:\n  a: { prompt: \"caf".utf8) + Data([0xE9]) + Data(" au lait\" }\n".utf8)
        let utf16 = Data([0xFF, 0xFE]) + "version: 1\n".data(using: .utf16LittleEndian)!
        let overlong = Data("version: 1\nassets:\n  a: { prompt: \"".utf8) + Data([0xC0, 0xAF]) + Data("\" }\n".utf8)
        let png = (try? Data(contentsOf: KilnProcess.repositoryRoot.appendingPathComponent("pipelines/inputs/logo.png"))) ?? Data()
        return [
            bytes("Latin-1 text", latin1, at: "m.yaml:3:20", says: "not UTF-8 text"),
            bytes("UTF-16 text", utf16, at: "m.yaml:1:1", says: "it is UTF-16"),
            bytes("an overlong UTF-8 sequence", overlong, at: "m.yaml:3:17", says: "not UTF-8 text"),
            bytes("an image named .yaml", png, at: "m.yaml:1:1", says: "it looks like a PNG image"),
            bytes("a NUL byte in the text", Data("version: 1\nassets:\n  a: { prompt: x }\u{0}\n".utf8), at: "m.yaml:3:19",
                  says: "control character"),
            HostileCase("an unclosed quote", "version: 1\nassets:\n  a:\n    prompt: \"unclosed\n    size: 1024x1024\n",
                        after: "prompt: ", says: "unclosed double quote"),
            HostileCase("an unclosed flow mapping", "version: 1\nassets:\n  a: { prompt: x\n  b: { prompt: y }\n",
                        after: "{ prompt: x", onNeedle: true, says: "{"),
            HostileCase("a duplicate key", "version: 1\nassets:\n  a:\n    prompt: x\n    quality: low\n    quality: high\n",
                        after: "quality", onNeedle: true, occurrence: 2, says: "duplicate key 'quality' (first at line 5)"),
            HostileCase("an unknown alias", "version: 1\nassets:\n  a:\n    prompt: *nothere\n",
                        after: "*nothere", onNeedle: true, says: "no anchor &nothere defined before this"),
            HostileCase("an alias bomb", "version: 1\nx0: &l0 [a, a, a, a, a, a, a, a, a, a]\n"
                            + (1...8).map { "x\($0): &l\($0) [" + Array(repeating: "*l\($0 - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()
                            + "assets:\n  a: { prompt: x }\n",
                        says: "alias bomb"),
        ]
    }
}
