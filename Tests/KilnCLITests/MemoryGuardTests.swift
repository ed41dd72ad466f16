import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import Testing

/// Peak memory must not grow with the number of images a build pays for: it may depend on how many
/// are in flight, never on how many there are. Built through the fake answering PNGs the size the
/// live service sends (~1.8 MB at 1024×1024), at two sizes of the same project.
@Suite struct MemoryGuardTests {
    static let answerBytes = 1_800_000

    func project(images: Int) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("pipelines"),
                                                withIntermediateDirectories: true)
        let values = (0..<images).map { "v\($0)" }.joined(separator: ", ")
        let manifest = """
        version: 1
        defaults:
          provider: openai
          model: gpt-image-1.5
          size: 1024x1024
          quality: low
        assets:
          icon:
            matrix:
              n: [\(values)]
            prompt: "icon {{n}}"
            output: "icons/{{n}}.png"

        """
        try manifest.write(to: root.appendingPathComponent("pipelines/bulk.yaml"), atomically: true, encoding: .utf8)
        return root
    }

    /// Builds `images` answers with 16 in flight; returns the process's peak resident memory in MiB.
    func peakMiB(images: Int, environment: [String: String]) async throws -> Double {
        let root = try project(images: images)
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await KilnProcess.runMeasuringPeak(["build", "--jobs", "16"], in: root, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("outputs/icons").path)
        #expect(written.count == images)
        let sample = try Data(contentsOf: root.appendingPathComponent("outputs/icons/v0.png"))
        #expect(sample.count > Self.answerBytes / 2, "the answers are not realistic: \(sample.count) bytes")
        return Double(result.peakKiB) / 1024
    }

    @Test func peakMemoryDoesNotGrowWithTheNumberOfImages() async throws {
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(answerBytes: Self.answerBytes))
        try await server.makeApplication().test(.live) { client in
            let environment = ["OPENAI_API_KEY": "sk-test-memory-guard",
                               "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
            let small = try await peakMiB(images: 60, environment: environment)
            let large = try await peakMiB(images: 240, environment: environment)
            // Holding every answer would add 180 × 1.8 MB ≈ 310 MiB between the two.
            #expect(large - small < 80, "peak memory grew from \(Int(small)) MiB (60 images) to \(Int(large)) MiB (240)")
            #expect(large < 600, "peak memory \(Int(large)) MiB for 240 images with 16 in flight")
        }
    }
}
