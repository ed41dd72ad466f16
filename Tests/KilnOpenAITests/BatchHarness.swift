import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import KilnCore
import Logging
import NIOCore
@testable import KilnFakeOpenAI
@testable import KilnOpenAI

/// A fake with the Batch API on a random loopback port and a `BatchClient` pointed at it.
struct BatchFake: Sendable {
    let server: FakeOpenAIServer
    let client: BatchClient
    let port: Int
    let configuration: OpenAIConfiguration

    /// Fast compressed time: no validating or finalizing delay, many lines per second.
    static func fast(_ script: FakeBatchScript = .init(), maxBatchFileBytes: Int = 200 << 20) -> FakeOpenAIConfiguration {
        FakeOpenAIConfiguration(apiKey: testKey, batch: FakeBatchConfiguration(
            validatingDelay: .milliseconds(10), linesPerSecond: 500, finalizingDelay: .milliseconds(10),
            script: script, maxBatchFileBytes: maxBatchFileBytes))
    }

    /// The fake's `GET /fake/stats`.
    func stats() async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/fake/stats"),
                                                           timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
    }

    /// How many times each custom_id was submitted, as `/fake/stats` says.
    func submissions() async throws -> [String: Int] {
        try await stats()["submissions"] as? [String: Int] ?? [:]
    }

    /// Polls until the batch is final (bounded by a count of polls, not by a clock).
    func waitForFinal(_ id: String, polls: Int = 3000) async throws -> BatchObject {
        for _ in 0..<polls {
            let batch = try await client.batch(id: id)
            if batch.status.isFinal { return batch }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BatchLineError("batch \(id) did not finish after \(polls) polls")
    }

    /// Uploads `path`, creates a batch for `endpoint`, and waits for it to finish.
    func run(_ path: String, endpoint: BatchEndpoint = .generations) async throws -> BatchObject {
        let file = try await client.uploadFile(path: path)
        let created = try await client.createBatch(inputFileID: file.id, endpoint: endpoint, metadata: ["kiln": "test"])
        return try await waitForFinal(created.id)
    }

    /// Downloads the batch's output and error files (when it has them) and reads every line.
    func results(_ batch: BatchObject, expected: [String: BatchLineOrigin], in folder: String,
                 secrets: [String] = [testKey]) async throws -> (results: [String: BatchLineResult], problems: [BatchLineProblem], missing: [String]) {
        var reader = BatchOutputReader(expected: expected, secrets: secrets)
        var results: [String: BatchLineResult] = [:]
        var problems: [BatchLineProblem] = []
        for id in [batch.outputFileId, batch.errorFileId].compactMap({ $0 }) {
            let path = folder + "/\(id).jsonl"
            try await client.downloadFile(id: id, to: path)
            try reader.read(path: path) { event in
                switch event {
                case let .result(result): results[result.customID] = result
                case let .problem(problem): problems.append(problem)
                }
            }
        }
        return (results, problems, reader.missing)
    }
}

/// Runs `body` against a fresh fake (Files and Batches included) and a batch client.
func withBatchFake<T: Sendable>(_ fake: FakeOpenAIConfiguration = BatchFake.fast(), logger: Logger = Logger(label: "test"),
                                key: String = testKey,
                                _ body: @Sendable (BatchFake) async throws -> T) async throws -> T {
    let server = FakeOpenAIServer(configuration: fake)
    return try await server.makeApplication().test(.live) { client in
        var configuration = OpenAIConfiguration(environment: ["OPENAI_API_KEY": key,
                                                              "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"])
        configuration.backoffBase = 0.001
        configuration.backoffCap = 0.01
        configuration.retries = 1
        return try await BatchClient.withClient(configuration: configuration, logger: logger,
                                                runtime: SleepRecorder().runtime()) { batchClient in
            try await body(BatchFake(server: server, client: batchClient, port: client.port ?? 0,
                                     configuration: configuration))
        }
    }
}

/// A fresh folder under the temp directory.
func batchFolder() throws -> String {
    let path = NSTemporaryDirectory() + "kiln-batch-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A generation of `prompt` for step `name`, with its custom_id.
func batchGenerate(_ name: String, prompt: String? = nil, model: String = "gpt-image-1.5",
                   size: SizeSpec = .fixed(width: 1024, height: 1024)) -> (id: String, request: ImageRequest) {
    let step = StepID(pipeline: "demo", asset: name, variant: nil, step: "generate")
    let request = ImageRequest(stepID: step, kind: .generate, model: model, prompt: prompt ?? "a kiln icon \(name)",
                               parameters: ImageParameters(size: size, quality: .low))
    return ("key-" + Digest.sha256(name).prefix(16), request)
}

/// Writes `requests` as one input file (all of one endpoint and model) and returns its path.
func writeBatchFile(_ requests: [(id: String, request: ImageRequest)], in folder: String,
                    fileIDs: [String: String] = [:]) throws -> BatchInputFile {
    let writer = try BatchFileWriter(folder: folder)
    for (id, request) in requests { try writer.append(BatchLine(customID: id, request: request, fileIDs: fileIDs)) }
    let files = try writer.finish()
    guard files.count == 1 else { throw BatchLineError("expected one input file, got \(files.count)") }
    return files[0]
}

func origins(_ requests: [(id: String, request: ImageRequest)]) -> [String: BatchLineOrigin] {
    Dictionary(uniqueKeysWithValues: requests.map { ($0.id, BatchLineOrigin(stepID: $0.request.stepID, model: $0.request.model)) })
}
