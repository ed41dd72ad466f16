@testable import KilnCLI
import Foundation
import KilnCache
import KilnCore
import Testing

/// What a batch record read from a shared remote cache must be before Kiln uses any of it: a name
/// Kiln makes (never a path or another file of `.kiln/batches/`), provider ids and keys of the
/// expected form, step names that parse, messages without control characters; and the sealed
/// values' signatures.
@Suite struct BatchRecordRulesTests {
    static let key = Digest.sha256("a step")

    func record(name: String = "1764800000-9f3a2b1c-1", batch: String? = "batch_abc123", input: String = "file-xyz",
                endpoint: String = "/v1/images/generations", lines: [String: String] = [key: "p/logo/main"]) -> BatchRecord {
        BatchRecord(name: name, inputFileID: input, batchID: batch, endpoint: endpoint, model: "gpt-image-1.5",
                    lines: lines, submittedAt: 1_764_800_000, status: "in_progress")
    }

    @Test(arguments: ["1764800000-9f3a2b1c-1", "1764800000-12345-2"])
    func namesKilnMakesAreSafe(_ name: String) {
        #expect(BatchRecords.isSafeName(name))
    }

    @Test(arguments: ["inputs", "", "../../etc/passwd", "1-2", "a-b-c", "1-xyz-1", "1-ab-1/..", "1--1", "-1-ab-1",
                      "1-ab-1\n", "1764800000-9F3A-1", String(repeating: "1", count: 90) + "-a-1"])
    func otherNamesAreNot(_ name: String) {
        #expect(!BatchRecords.isSafeName(name))
    }

    @Test func aWellFormedRecordIsAdoptedAsShared() throws {
        let adopted = try #require(RemoteBatchHolds.checked(record(), name: "1764800000-9f3a2b1c-1"))
        #expect(adopted.adopted == true && adopted.published == true && adopted.lines == [Self.key: "p/logo/main"])
    }

    @Test func recordsThatAreNotKilnsAreRefused() {
        let name = "1764800000-9f3a2b1c-1"
        #expect(RemoteBatchHolds.checked(record(), name: "1764800000-9f3a2b1c-2") == nil, "a record under another name")
        #expect(RemoteBatchHolds.checked(record(batch: "batch_1\n::error::x"), name: name) == nil)
        #expect(RemoteBatchHolds.checked(record(input: "../file"), name: name) == nil)
        #expect(RemoteBatchHolds.checked(record(endpoint: "/v1/files"), name: name) == nil)
        #expect(RemoteBatchHolds.checked(record(lines: ["NOT-A-KEY": "p/logo/main"]), name: name) == nil)
    }

    @Test func stepNamesAndMessagesAreCleanedBeforeTheyArePrinted() throws {
        var shared = record(lines: [Self.key: "p/logo/main\u{1b}[31m\n::error::forged"])
        shared.failures = [Self.key: "refused\u{1b}[2J\n::warning::x", Digest.sha256("not a line"): "x"]
        let adopted = try #require(RemoteBatchHolds.checked(shared, name: shared.name))
        #expect(adopted.lines[Self.key] == "(a step of another checkout)")
        #expect(adopted.failures.count == 1)
        let message = try #require(adopted.failures[Self.key])
        #expect(!message.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }, "\(message)")
    }

    @Test func sealedValuesAreSignedOverTheirAddress() throws {
        let signing = try #require(RemoteActionValue.SigningKey("team-signing-key-0123456789"))
        let other = try #require(RemoteActionValue.SigningKey("someone-elses-key-0123456789"))
        let payload = Data(#"{"record":"1764800000-9f3a2b1c-1"}"#.utf8)
        let sealed = RemoteActionValue.seal(payload, address: "aa11", signing: signing)
        #expect(try RemoteActionValue.unseal(sealed, address: "aa11", signing: signing) == payload)
        #expect(throws: RemoteActionValue.Rejection.badSignature) { try RemoteActionValue.unseal(sealed, address: "aa11", signing: other) }
        #expect(throws: RemoteActionValue.Rejection.badSignature) { try RemoteActionValue.unseal(sealed, address: "bb22", signing: signing) }
        let unsigned = RemoteActionValue.seal(payload, address: "aa11", signing: nil)
        #expect(throws: RemoteActionValue.Rejection.unsigned) { try RemoteActionValue.unseal(unsigned, address: "aa11", signing: signing) }
        // A step's action record is not a sealed value, nor the other way round.
        #expect(throws: RemoteActionValue.Rejection.malformed) { try RemoteActionValue.unseal(Data("kiln-remote-action 1\nsignature: none\n\n{}".utf8), address: "aa11", signing: nil) }
    }
}
