import Foundation
import KilnCore
import KilnManifest
import Testing

/// Every `Fixtures/bad/NAME.yaml` gives exactly the diagnostics in `NAME.expected`.
/// Set `KILN_RECORD_FIXTURES=1` to (re)write the expected files, then review them in the diff.
@Suite struct BadManifestTests {
    static let names = Fixtures.names(in: "bad")

    @Test func corpusIsLarge() {
        #expect(Self.names.count >= 45)
    }

    @Test(arguments: names)
    func fixture(_ name: String) throws {
        let result = Fixtures.load("bad", name)
        let actual = result.diagnostics.map(\.description)
        let expectedURL = Fixtures.url("bad", name, "expected")
        if ProcessInfo.processInfo.environment["KILN_RECORD_FIXTURES"] == "1" {
            try (actual.joined(separator: "\n") + "\n").write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(actual == expected)
        #expect(!actual.isEmpty, "a bad fixture must produce at least one diagnostic")
    }
}
