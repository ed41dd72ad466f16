import Foundation
import KilnCache
import KilnCore
import Synchronization

/// Batches in flight, told to every machine that shares the remote cache: a key sent in a batch
/// from one machine is never sent again from another, by batch or directly, while that batch is out
/// — and another machine (a scheduled CI job on a fresh runner) can collect it.
///
/// Two kinds of small values live beside the cache's action records (`ac/`), under names no step
/// key can take (the SHA-256 of a prefixed text), sealed like the records (`RemoteActionValue.seal`:
/// HMAC-signed with `KILN_CACHE_SIGNING_KEY` when it is set, refused unsigned or altered):
/// - the batch record itself, under `record:<name>`: written when its input file is uploaded
///   (before the batch exists), again with the batch id, and again once collected (with each
///   failed line's message), so a reader never downloads a collected batch again;
/// - one hold per line, under `hold:<cache key>`, naming the record, written with the first.
/// A machine about to pay for a key looks for its hold; when there is one it adopts the record
/// into its own `.kiln/batches/` and collects the batch as if it had sent it. A record that does
/// not check out (a name or id Kiln would not make, a batch OpenAI does not show to this key, or
/// made from another input file) holds nothing.
struct RemoteBatchHolds: Sendable {
    let tier: RemoteTier
    /// Look-ups and writes in flight at once.
    var concurrency = 32
    /// Tries per read or write when the store fails.
    var attempts = 3

    struct Hold: Codable, Sendable {
        var record: String
    }

    static func holdAddress(_ key: String) -> CacheAddress {
        .action(key: Digest.sha256("kiln-batch-hold\n" + key))
    }

    static func recordAddress(_ name: String) -> CacheAddress {
        .action(key: Digest.sha256("kiln-batch-record\n" + name))
    }

    var canWrite: Bool { !tier.options.readOnly && !tier.uploadsGivenUp }

    /// Writes `record`, and with `holds` a hold for each of its lines. False when the store
    /// refused or failed (the record stays unpublished locally; the next run tries again).
    func publish(_ record: BatchRecord, holds: Bool) async -> Bool {
        guard canWrite else { return false }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try await put(try encoder.encode(record), at: Self.recordAddress(record.name))
            guard holds else { return true }
            let hold = try encoder.encode(Hold(record: record.name))
            let failures = await Self.forEach(Array(record.lines.keys), limit: concurrency) { key in
                (try? await put(hold, at: Self.holdAddress(key))) == nil
            }
            return failures == 0
        } catch {
            return false
        }
    }

    /// What the holds on `keys` say, for the records `known` (the local records' names) lacks.
    struct Found {
        /// Records other machines published, checked and ready to adopt.
        var records: [BatchRecord] = []
        /// Keys whose hold could not be read (the store failed): they may be in a batch.
        var unchecked = 0
        /// Holds or records refused (unsigned, altered, malformed).
        var refused = 0
    }

    func find(holding keys: [String], known: Set<String>) async -> Found {
        guard !keys.isEmpty, !tier.isGivenUp else { return Found() }
        let state = Mutex((names: Set<String>(), unchecked: 0, refused: 0))
        _ = await Self.forEach(keys, limit: concurrency) { key in
            switch await read(Self.holdAddress(key), as: Hold.self) {
            case let .found(hold):
                guard !known.contains(hold.record) else { return false }
                state.withLock { _ = $0.names.insert(hold.record) }
            case .none: break
            case .failed: state.withLock { $0.unchecked += 1 }
            case .refused: state.withLock { $0.refused += 1 }
            }
            return true
        }
        let (names, unchecked, refusedHolds) = state.withLock { ($0.names, $0.unchecked, $0.refused) }
        let records = Mutex([BatchRecord]())
        let refusedRecords = await Self.forEach(names.sorted(), limit: concurrency) { name in
            guard BatchRecords.isSafeName(name),
                  case let .found(record) = await read(Self.recordAddress(name), as: BatchRecord.self),
                  let adopted = Self.checked(record, name: name) else { return true }
            records.withLock { $0.append(adopted) }
            return false
        }
        return Found(records: records.withLock { $0 }.sorted { ($0.submittedAt, $0.name) < ($1.submittedAt, $1.name) },
                     unchecked: unchecked, refused: refusedHolds + refusedRecords)
    }

    /// `record` as this machine keeps it, or nil when it is not what Kiln writes: its name, batch
    /// id, keys and step names are checked before any of them reaches a path, a request or a line
    /// of output.
    static func checked(_ record: BatchRecord, name: String) -> BatchRecord? {
        guard record.name == name, isSafeID(record.inputFileID), record.batchID.map(isSafeID) ?? true,
              ["/v1/images/generations", "/v1/images/edits"].contains(record.endpoint),
              record.lines.keys.allSatisfy({ CacheAddress.action(key: $0).isValid }) else { return nil }
        var adopted = record
        adopted.lines = record.lines.mapValues { step in
            let printable = !step.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) } && step.utf8.count <= 300
            return printable && StepID(parsing: step)?.description == step ? step : "(a step of another checkout)"
        }
        adopted.failures = record.failures.filter { record.lines[$0.key] != nil }
            .mapValues { String($0.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(500)) }
        adopted.published = true
        adopted.adopted = true
        return adopted
    }

    /// A provider id (`batch_…`, `file-…`): letters, digits, `_` and `-`, at most 100.
    static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 100
            && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || $0 == 45 || $0 == 95 }
    }

    // MARK: - Reads and writes

    private enum Read<T> {
        case found(T), none, failed, refused
    }

    private func read<T: Decodable>(_ address: CacheAddress, as: T.Type) async -> Read<T> {
        for attempt in 1...max(1, attempts) {
            do {
                guard let value = try await tier.backend.get(address) else { return .none }
                let payload = try RemoteActionValue.unseal(value, address: address.name, signing: tier.options.signing)
                guard let decoded = try? JSONDecoder().decode(T.self, from: payload) else { return .refused }
                return .found(decoded)
            } catch is RemoteActionValue.Rejection {
                return .refused
            } catch {
                if attempt < attempts { try? await Task.sleep(for: .milliseconds(200 * attempt)) }
            }
        }
        return .failed
    }

    private func put(_ payload: Data, at address: CacheAddress) async throws {
        let value = RemoteActionValue.seal(payload, address: address.name, signing: tier.options.signing)
        for attempt in 1...max(1, attempts) {
            do {
                return try await tier.backend.put(value, at: address)
            } catch {
                if attempt == attempts { throw error }
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
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
