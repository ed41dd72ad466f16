import Foundation
import KilnCore
import KilnOpenAI

/// Between the rounds of `kiln build --wait`: polls the batches out — one GET each, the wait
/// growing to a minute — until one is final (or a record needs a round: its batch not created
/// yet). A round is a whole build with its summary; a poll is quiet, with one line when a batch's
/// state or counts change, so a day's wait is a few dozen lines, not a build summary a minute.
struct BatchWatch {
    let records: BatchRecords

    /// Returns the delay to continue with.
    func wait(after first: Double) async throws -> Double {
        var delay = first
        let open = records.all().filter { !$0.collected }
        Console.err("batch: waiting for \(open.count) batch(es); Ctrl-C stops waiting (the batches go on, and any later kiln build collects them)")
        return try await BatchCommand.client { client -> Double in
            guard let client else { return delay }
            var shown = [String: String]()
            while true {
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 1.5, 60)
                let open = records.all().filter { !$0.collected }
                guard !open.isEmpty, open.allSatisfy({ $0.batchID != nil }) else { return delay }
                for var record in open {
                    // A failed poll (or a batch the service does not show) is the round's to report.
                    guard let id = record.batchID, let batch = try? await client.batch(id: id) else { return delay }
                    record.update(from: batch)
                    try? records.save(record)
                    if batch.status.isFinal { return delay }
                    let state = "\(record.status) \(record.completed) \(record.failed)"
                    if shown[record.name] != state {
                        shown[record.name] = state
                        Console.err("batch \(record.shownID): \(BatchReport.progress(record, now: Date()))")
                    }
                }
            }
        }
    }
}
