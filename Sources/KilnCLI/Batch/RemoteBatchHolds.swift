import Foundation
import Synchronization
import KilnCache
import KilnCore

/// Batches in flight, told to every machine that shares the remote cache: a key sent in a batch
/// from one machine is never sent again from another, by batch or directly, while that batch is out
/// — and another machine (a scheduled CI job on a fresh runner) can collect it.
///
/// Two kinds of small values live beside the cache's action records (`ac/`), under names no step
/// key can take (the SHA-256 of a prefixed text):
/// - the batch record itself, under `record:<name>`, written once the batch exists;
/// - one hold per line, under `hold:<cache key>`, naming the record.
/// A machine about to pay for a key looks for its hold; when there is one, it adopts the record
/// into its own `.kiln/batches/` and collects the batch as if it had sent it. A hold whose batch
/// the service does not know (a forged or stale value) holds nothing: the collector drops it.
/// Holds are never removed: once the batch is collected its results are in the cache, which is
/// looked up first.
struct RemoteBatchHolds: Sendable {
    let tier: RemoteTier
    /// Look-ups and writes in flight at once.
    var concurrency = 32

    struct Hold: Codable, Sendable {
        var record: String
        var batch: String?
    }

    static func holdAddress(_ key: String) -> CacheAddress {
        .action(key: Digest.sha256("kiln-batch-hold\n" + key))
    }

    static func recordAddress(_ name: String) -> CacheAddress {
        .action(key: Digest.sha256("kiln-batch-record\n" + name))
    }

    /// Writes `record` and a hold for each of its lines. False when the store refused or failed
    /// (the batch is still recorded locally; the next run tries again).
    func publish(_ record: BatchRecord) async -> Bool {
        guard !tier.options.readOnly, !tier.isGivenUp, record.batchID != nil else { return false }
        let backend = tier.backend
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try await backend.put(try encoder.encode(record), at: Self.recordAddress(record.name))
            let hold = try encoder.encode(Hold(record: record.name, batch: record.batchID))
            let failures = await Self.forEach(Array(record.lines.keys), limit: concurrency) { key in
                (try? await backend.put(hold, at: Self.holdAddress(key))) == nil
            }
            return failures == 0
        } catch {
            return false
        }
    }

    /// The records behind the holds on `keys` that `known` (the local records' names) lacks, read
    /// from the store. A store that fails is no hold (the look-up of results fails the same way).
    func records(holding keys: [String], known: Set<String>) async -> [BatchRecord] {
        guard !keys.isEmpty, !tier.isGivenUp else { return [] }
        let backend = tier.backend
        let found = Mutex<Set<String>>([])
        _ = await Self.forEach(keys, limit: concurrency) { key in
            guard let data = try? await backend.get(Self.holdAddress(key)),
                  let hold = try? JSONDecoder().decode(Hold.self, from: data), !known.contains(hold.record) else { return false }
            found.withLock { _ = $0.insert(hold.record) }
            return true
        }
        var records = [BatchRecord]()
        for name in found.withLock({ $0 }).sorted() {
            guard BatchRecords.isSafeName(name), let data = try? await backend.get(Self.recordAddress(name)),
                  var record = try? JSONDecoder().decode(BatchRecord.self, from: data),
                  record.name == name, record.batchID != nil else { continue }
            // Collected or not elsewhere, here it is collected afresh (the files are kept for others).
            record.collected = false
            record.failures = [:]
            record.final = []
            record.published = true
            record.adopted = true
            records.append(record)
        }
        return records
    }

    /// Runs `body` on every item, `limit` at a time; returns how many returned true.
    private static func forEach(_ items: [String], limit: Int, _ body: @escaping @Sendable (String) async -> Bool) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            var iterator = items.makeIterator(), count = 0
            for _ in 0..<max(1, limit) {
                guard let item = iterator.next() else { break }
                group.addTask { await body(item) }
            }
            for await result in group {
                if result { count += 1 }
                if let item = iterator.next() { group.addTask { await body(item) } }
            }
            return count
        }
    }
}
