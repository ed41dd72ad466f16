import ArgumentParser
import Foundation
import Hummingbird
import NIOCore
import KilnFakeOpenAI

/// `openai-fake --port 8080 --latency-ms 200`: a local stand-in for the OpenAI Images API, so a
/// pipeline can be rehearsed (or benchmarked) without a key: `OPENAI_BASE_URL=http://127.0.0.1:8080/v1`.
@main
struct FakeOpenAICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openai-fake", abstract: "Serve a fake OpenAI Images API on a local port.",
        subcommands: [Serve.self, Drive.self], defaultSubcommand: Serve.self)
}

/// Serves the fake.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the fake (the default).")

    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Host to bind.") var host = "127.0.0.1"
    @Option(help: "Added latency per answer, in milliseconds.") var latencyMs = 0
    @Option(help: "The API key to require (default: accept any Bearer key).") var apiKey: String?
    @Option(help: "Answer opaque PNGs of about this many bytes, each different, like the live service (~1800000 at 1024x1024).")
    var answerBytes: Int?
    @Option(help: "The listen backlog: pending connections the kernel queues (so a burst of clients is not refused).")
    var backlog = 1024
    @OptionGroup var batch: BatchOptions

    func run() async throws {
        let server = FakeOpenAIServer(configuration: .init(apiKey: apiKey, latency: .milliseconds(latencyMs),
                                                           answerBytes: answerBytes, batch: try batch.configuration()))
        let app = server.makeApplication(host: host, port: port, backlog: backlog) { channel in
            let bound = channel.localAddress?.port ?? port
            // Unbuffered, so a script waiting on the line sees it even when stdout is a pipe.
            FileHandle.standardOutput.write(Data("fake OpenAI listening on http://\(host):\(bound)/v1\n".utf8))
        }
        try await app.runService()
    }
}
