import ArgumentParser
import Foundation
import KilnCore
import KilnOpenAI

/// `kiln batch status` and `kiln batch cancel`: the batches `kiln build --batch` sent from this project.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Show or cancel the Batch API batches `kiln build --batch` sent (docs/batch.md).",
        subcommands: [Status.self, Cancel.self])

    /// The records, the OpenAI settings the manifests give (base URL), and a client when there is a key.
    static func client<T: Sendable>(_ body: (BatchClient?) async throws -> T) async throws -> T {
        let frontend = Frontend()
        let settings = frontend.plan([], provider: "placeholder").plan?.providers["openai"]
        let configuration = OpenAIConfiguration(environment: frontend.workspace.environment, settings: settings, kilnVersion: Kiln.version)
        guard configuration.apiKey?.isEmpty == false else { return try await body(nil) }
        return try await BatchClient.withClient(configuration: configuration) { try await body($0) }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List this project's batches: state, progress, expected end, and why lines failed.",
            discussion: "With OPENAI_API_KEY set, each batch not yet collected is asked for its state, and a finished one is collected: its images stored in the cache (`kiln build` then writes the outputs and sends the next wave). Without a key, what .kiln/batches/ last recorded is shown.")

        @Flag(help: "Also list every failed line of collected batches.")
        var failures = false

        @OptionGroup var cache: CacheArguments

        func run() async throws {
            let records = BatchRecords(root: Workspace().root)
            var all = records.all()
            guard !all.isEmpty else {
                Console.out("no batches: `kiln build --batch` sends some\n")
                return
            }
            let live = try await BatchCommand.client { client -> Bool in
                guard let client else { return false }
                guard all.contains(where: { !$0.collected }) else { return true }
                // Polls every batch out and collects the finished ones, as a build's round does.
                let frontend = Frontend()
                guard let (project, outcome, plan) = ProjectFiles.plan([], provider: nil, outputDirectory: "outputs",
                                                                       cacheDirectory: cache.cacheDir, lockedProvider: false,
                                                                       frontend: frontend, notices: false) else {
                    throw ExitCode(ExitStatus.invalid.rawValue)
                }
                let collector = BatchCollector(client: client, records: records, cache: project.cache,
                                               steps: Dictionary(plan.steps.map { ($0.cacheKey, $0) }, uniquingKeysWith: { a, _ in a }),
                                               prices: Frontend.prices(outcome.manifests),
                                               secrets: frontend.workspace.environment["OPENAI_API_KEY"].map { [$0] } ?? [])
                let pass = try await collector.pass(all)
                if !pass.collected.isEmpty {
                    Console.err("batch: collected \(pass.stored) image(s) from \(pass.collected.count) finished batch(es) into the cache; `kiln build` writes the outputs and sends the next wave")
                }
                all = records.all()
                return true
            }
            if !live { Console.err("note: no OPENAI_API_KEY: the states below are the last ones recorded\n") }
            let formatter = ISO8601DateFormatter()
            for record in all {
                let when = formatter.string(from: Date(timeIntervalSince1970: record.submittedAt))
                let state = record.collected
                    ? "collected: \(record.lines.count - record.failures.count) image(s), \(record.failures.count) failed"
                    : BatchReport.progress(record, now: Date())
                Console.out("\(record.shownID)  \(record.lines.count) step(s)  \(record.model)  sent \(when)  \(state)\n")
                if failures || !record.collected {
                    for (key, message) in record.failures.sorted(by: { $0.key < $1.key }) {
                        Console.out("  \(record.lines[key] ?? key): \(message)\n")
                    }
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel batches not yet collected (all of them, or those named); results that arrived are kept.",
            discussion: "The service takes up to 10 minutes to stop a batch. The next `kiln build --batch` collects what it answered and sends the rest again; a direct `kiln build` may pay for them once the batch has ended.")

        @Argument(help: "Batch ids (default: every batch not yet collected).")
        var ids: [String] = []

        func run() async throws {
            let records = BatchRecords(root: Workspace().root)
            let open = records.all().filter { !$0.collected && (ids.isEmpty || ids.contains($0.batchID ?? "")) }
            for id in ids where !open.contains(where: { $0.batchID == id }) {
                throw ValidationError("no batch \(id) is waiting here (kiln batch status lists them)")
            }
            guard !open.isEmpty else {
                Console.out("no batch to cancel\n")
                return
            }
            try await BatchCommand.client { client in
                guard let client else {
                    throw ValidationError("cancelling asks OpenAI: export OPENAI_API_KEY=…")
                }
                for var record in open {
                    guard let id = record.batchID else { continue }
                    let batch = try await client.cancel(id: id)
                    record.status = batch.status.description
                    try records.save(record)
                    Console.out("\(id): \(batch.status); `kiln build --batch` collects what it answered\n")
                }
            }
        }
    }
}
