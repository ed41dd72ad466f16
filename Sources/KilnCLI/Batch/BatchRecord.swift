import Foundation
import KilnCore
import KilnOpenAI

/// One batch Kiln submitted, kept in `.kiln/batches/<name>.json` from the moment its input file is
/// uploaded (before the batch exists) until its results are collected: what lets a rerun — after
/// Ctrl-C, `kill -9` or a day — resume instead of paying again.
struct BatchRecord: Codable, Sendable, Hashable {
    /// The record's file name without `.json`, fixed before the batch id exists.
    var name: String
    var inputFileID: String
    /// Nil between the upload and the batch's creation (a rerun looks the batch up by its input file).
    var batchID: String?
    var endpoint: String
    var model: String
    /// custom_id (the step's cache key) → the step's id, for every line.
    var lines: [String: String]
    var submittedAt: Double
    /// The batch's last known status (`validating`, `in_progress`, … `completed`).
    var status: String
    var completed = 0
    var failed = 0
    var total = 0
    /// When the service said the batch expires (24 h after creation).
    var expiresAt: Double?
    /// Set once every line's outcome is in the cache or in `failures`.
    var collected = false
    /// custom_id → why its line produced no image (the provider's message), after collection.
    var failures: [String: String] = [:]
    /// custom_ids whose failure asking again would not fix (a refused request, moderation): not resubmitted.
    var final: Set<String> = []
    /// True once the record and its holds are in the shared remote cache (`RemoteBatchHolds`).
    var published: Bool?
    /// True when another machine sent the batch and this one found it through the remote cache.
    var adopted: Bool?

    var shownID: String { batchID ?? "(being created from \(inputFileID))" }

    /// Takes the batch's state, counts and expiry as the service reports them.
    mutating func update(from batch: BatchObject) {
        status = batch.status.description
        completed = batch.requestCounts?.completed ?? completed
        failed = batch.requestCounts?.failed ?? failed
        total = batch.requestCounts?.total ?? max(total, lines.count)
        expiresAt = batch.expiresAt.map(Double.init) ?? expiresAt
    }
}

/// The folder of batch records, `.kiln/batches/`. Each record is rewritten whole (temp file, then
/// rename) whenever it changes.
struct BatchRecords: Sendable {
    let folder: URL

    init(root: URL) {
        folder = root.appendingPathComponent(".kiln/batches")
    }

    func all() -> [BatchRecord] {
        let decoder = JSONDecoder()
        return PosixFile.names(in: folder.path).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") && $0 != "inputs.json" }
            .compactMap { PosixFile.read(folder.path + "/" + $0).flatMap { try? decoder.decode(BatchRecord.self, from: $0) } }
            .sorted { ($0.submittedAt, $0.name) < ($1.submittedAt, $1.name) }
    }

    /// Whether `name` is a record name as Kiln makes them — `<epoch>-<hex>-<n>` — and so never a
    /// path nor another file of the folder (a name read from a shared remote cache is checked first).
    static func isSafeName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard name.utf8.count <= 80, parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return false }
        let digits = { (part: Substring) in part.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }
        return digits(parts[0]) && digits(parts[2]) && parts[1].utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    func remove(_ record: BatchRecord) {
        guard Self.isSafeName(record.name) else { return }
        unlink(folder.appendingPathComponent(record.name + ".json").path)
    }

    func save(_ record: BatchRecord) throws {
        try AtomicFile.ensureDirectory(folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(record), to: folder.appendingPathComponent(record.name + ".json"))
    }

    /// Keys whose batch has not been collected yet → the batch's id (or how it is known before it has one).
    func held() -> [String: String] { Self.held(in: all()) }

    static func held(in records: [BatchRecord]) -> [String: String] {
        var held = [String: String]()
        for record in records where !record.collected {
            for key in record.lines.keys { held[key] = record.shownID }
        }
        return held
    }

    /// How many batches may fail one line before Kiln stops sending it again by itself.
    static let attempts = 3

    /// Keys not to send again without a change: their last batch answered with a refusal asking
    /// again would not fix (moderation, a bad request), or `attempts` batches failed them → the message.
    static func finalFailures(in records: [BatchRecord]) -> [String: String] {
        var failures = [String: String](), tries = [String: Int]()
        for record in records where record.collected {
            for (key, message) in record.failures {
                tries[key, default: 0] += 1
                if record.final.contains(key) {
                    failures[key] = message + " (asking again would not change that: change the step's prompt or parameters)"
                } else if tries[key, default: 0] >= Self.attempts {
                    failures[key] = message + " (\(Self.attempts) batches failed it; build it with `kiln build --direct`)"
                }
            }
        }
        return failures
    }

    /// How long a collected record is kept (for `kiln batch status` and counting failed attempts).
    static let keptFor: Double = 30 * 86_400

    /// Removes collected records older than `keptFor`; returns those left.
    func pruned(_ records: [BatchRecord], now: Double = Date().timeIntervalSince1970) -> [BatchRecord] {
        records.filter { record in
            guard record.collected, now - record.submittedAt > Self.keptFor else { return true }
            remove(record)
            return false
        }
    }

    // MARK: - Uploaded edit inputs, by digest

    private var inputsURL: URL { folder.appendingPathComponent("inputs.json") }

    /// Digest → file id of every edit input already uploaded (each is uploaded once).
    func uploadedInputs() -> [String: String] {
        PosixFile.read(inputsURL.path).flatMap { try? JSONDecoder().decode([String: String].self, from: $0) } ?? [:]
    }

    func saveUploadedInputs(_ inputs: [String: String]) throws {
        try AtomicFile.ensureDirectory(folder)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(inputs), to: inputsURL)
    }
}
