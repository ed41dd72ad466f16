import Foundation
import KilnManifest
import Testing

/// Every complete manifest (a ```yaml block starting `version: 1`) in docs/manifest.md validates.
@Suite struct DocsTests {
    static let examples: [String] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/manifest.md")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return text.components(separatedBy: "```yaml\n").dropFirst()
            .compactMap { $0.components(separatedBy: "```").first }
            .filter { $0.hasPrefix("version: 1") }
    }()

    @Test func thereAreExamples() {
        #expect(Self.examples.count >= 4)
    }

    @Test(arguments: examples)
    func exampleValidates(_ yaml: String) {
        let result = Fixtures.load(yaml)
        #expect(result.manifest != nil)
        #expect(result.diagnostics.errors.map(\.description) == [])
    }
}
