import Foundation
import KilnTestSupport
import Testing
@testable import KilnFakeOpenAI

/// The official `openai` Python SDK against the fake's Files and Batches endpoints
/// (`Tests/Fake/batch_sdk_check.py`): its models parse every answer, so the fake speaks the live
/// wire format. Skipped without the SDK, unless KILN_REQUIRE_SERVERS=1 makes that a failure.
@Suite(.enabled(if: PythonSDK.available || PythonSDK.required,
                "needs the openai Python SDK: python3 -m pip install openai"))
struct BatchSDKTests {
    @Test("files.create, batches.create/retrieve/list/cancel, files.content and files.delete parse as the SDK's models")
    func officialSDK() async throws {
        #expect(PythonSDK.available, "the openai Python SDK is missing and KILN_REQUIRE_SERVERS=1 requires it")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fake/batch_sdk_check.py").standardized.path
        let folder = try batchFolder()
        let server = FakeOpenAIServer(configuration: BatchFake.fast(FakeBatchScript()))
        // The first batch completes; the second holds after a line, so the cancel always finds it running.
        await server.batches.enqueue([FakeBatchScript(), FakeBatchScript(pauseAfterLines: 1)])
        let outcome = try await server.makeApplication().test(.live) { client in
            let port = client.port ?? 0
            return try await PythonSDK.run(["python3", script, "http://127.0.0.1:\(port)/v1", testKey, folder])
        }
        #expect(outcome.status == 0, "batch_sdk_check.py failed: \(outcome.errors)")
        let findings = try JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any]
        #expect(findings?["lines"] as? Int == 3)
        #expect(findings?["cancelled"] as? String == "cancelled")
        #expect(!(outcome.output + outcome.errors).contains(testKey))
    }
}

/// Whether python3 has the `openai` package, and running it.
enum PythonSDK {
    static let required = ProcessInfo.processInfo.environment["KILN_REQUIRE_SERVERS"] == "1"
    static let available: Bool = Blocking.command(["python3", "-c", "import openai"]).status == 0

    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        let run = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/env"), arguments)
        return (run.status, run.stdout, run.stderr)
    }
}
