import Foundation
import Testing

/// Careless and hostile projects through the real binary (issue 11): every case exits as it
/// should, points at the right place, writes nothing under outputs/, sends nothing to the
/// provider, and leaves no secret value in any output, file or request.
@Suite(.serialized) struct HostileCorpusTests {
    static let cases = SecretCases.all + ValueCases.all + FileCases.all + TextCases.all

    @Test func theCorpusCoversEveryClass() {
        #expect(Self.cases.count >= 150, "\(Self.cases.count) cases")
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "case names must be unique")
    }

    @Test(arguments: cases)
    func hostileProject(_ hostile: HostileCase) async throws {
        try await HostileRunner.run(hostile)
    }
}
