import ArgumentParser
import Foundation
import KilnCore
import KilnOpenAI

/// Drives a (fake) Images API with Kiln's client for benchmarks: N generations, M in flight.
struct Drive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark Kiln's OpenAI client: run N generations against OPENAI_BASE_URL.")

    @Option(help: "Generations to run.") var requests = 1000
    @Option(help: "Requests in flight at once.") var inFlight = 64
    @Option(help: "Image size.") var size = "1024x1024"

    func run() async throws {
        var configuration = OpenAIConfiguration(settings: ProviderSettings(maxInFlight: inFlight))
        configuration.retries = 0
        let parameters = ImageParameters(size: SizeSpec(size), quality: .low)
        let count = requests
        let start = ContinuousClock.now
        let bytes = try await OpenAIProvider.withProvider(configuration: configuration) { provider in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let step = StepID(pipeline: "bench", asset: "a\(index)", variant: nil, step: "generate")
                        let request = ImageRequest(stepID: step, kind: .generate, model: "gpt-image-1.5",
                                                   prompt: "benchmark image \(index)", parameters: parameters)
                        return try await provider.run(request).images.reduce(0) { $0 + $1.count }
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        let wall = ContinuousClock.now - start
        print("requests=\(count) in_flight=\(inFlight) wall=\(wall) image_bytes=\(bytes)")
    }
}
