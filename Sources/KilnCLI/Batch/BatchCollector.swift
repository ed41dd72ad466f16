import Foundation
import KilnCache
import KilnCore
import KilnOpenAI

/// Brings finished batches home: polls each batch not yet collected, and for one in a final state
/// downloads its output and error files, stores every image under its custom_id (the step's cache
/// key) and records why each other line produced none. A paid answer is stored before the record
/// says collected, so a crash at any point loses nothing: the next run collects again.
struct BatchCollector {
    let client: BatchClient
    let records: BatchRecords
    let cache: ResultCache
    /// The current plan's paid steps by cache key (a line whose step left the manifests is still stored).
    let steps: [String: PlannedStep]
    let prices: PriceTable
    let secrets: [String]
    /// Given each key stored, to send it on to the shared remote cache (nil without one).
    var share: (@Sendable (String) -> Void)?
    /// The shared remote cache's batch records, told when a batch is created or collected (nil without one).
    var holds: RemoteBatchHolds?

    /// What one pass over the records found.
    struct Pass {
        var stored = 0
        var failed: [(step: String, batch: String, message: String)] = []
        var running: [BatchRecord] = []
        var collected: [BatchRecord] = []
    }

    /// How long a batch another machine uploaded the input of may go without being created before
    /// this machine creates it (that machine, rerun, finds it by its input file).
    static let adoptedCreationGrace: Double = 15 * 60

    /// Polls every record of `current` not collected; collects those whose batch is final.
    func pass(_ current: [BatchRecord], now: Double = Date().timeIntervalSince1970) async throws -> Pass {
        var pass = Pass()
        for var record in current where !record.collected {
            if record.batchID == nil {
                // The upload happened, the creation's answer never arrived: find the batch, else create it.
                var batch = try await client.findBatch(inputFileID: record.inputFileID)
                if batch == nil {
                    if record.adopted == true && now - record.submittedAt < Self.adoptedCreationGrace {
                        pass.running.append(record)   // the machine that uploaded it is creating it
                        continue
                    }
                    batch = try await client.createBatch(inputFileID: record.inputFileID,
                                                         endpoint: BatchEndpoint(rawValue: record.endpoint) ?? .generations,
                                                         metadata: ["kiln_record": record.name])
                }
                record.batchID = batch?.id
                try records.save(record)
                await tell(record)
            }
            guard let id = record.batchID else { continue }
            let batch: BatchObject
            do {
                batch = try await client.batch(id: id)
            } catch let error as ProviderError where record.adopted == true && [.invalidRequest, .modelNotFound, .permission].contains(error.kind) {
                drop(record, "names batch \(id), which OpenAI does not show to this key (\(error.kind.rawValue))")
                continue
            }
            if record.adopted == true && batch.inputFileId != record.inputFileID {
                drop(record, "names batch \(id), which was made from another input file")
                continue
            }
            record.update(from: batch)
            guard batch.status.isFinal else {
                try records.save(record)
                pass.running.append(record)
                continue
            }
            let stored: Int
            do {
                stored = try await collect(&record, batch)
            } catch let error as ProviderError where record.adopted == true && error.kind == .invalidRequest {
                drop(record, "names batch \(id), whose files OpenAI no longer has (it keeps them 30 days)")
                continue
            }
            pass.stored += stored
            for (key, message) in record.failures.sorted(by: { $0.key < $1.key }) {
                pass.failed.append((record.lines[key] ?? key, id, message))
            }
            record.collected = true
            try records.save(record)
            // Other machines read the collected state (and each failure) instead of downloading again.
            await tell(record)
            pass.collected.append(record)
            // The service keeps files 30 days; these are Kiln's to remove once stored (best effort),
            // unless machines sharing the remote cache may collect the same batch.
            if holds != nil || record.published != nil || record.adopted == true { continue }
            for file in [batch.outputFileId, batch.errorFileId, record.inputFileID].compactMap({ $0 }) {
                _ = try? await client.deleteFile(id: file)
            }
        }
        return pass
    }

    /// Sends a shared record's new state to the remote cache (best effort: a reader that misses it
    /// polls the batch itself).
    private func tell(_ record: BatchRecord) async {
        guard let holds, record.published != nil || record.adopted == true else { return }
        _ = await holds.publish(record, holds: false)
    }

    /// Forgets a record found through the remote cache that holds nothing.
    private func drop(_ record: BatchRecord, _ why: String) {
        Console.err("warning: the remote cache's batch record \(record.name) \(why); its steps are not held by it")
        records.remove(record)
    }

    /// Stores the batch's images and fills `record.failures`; returns how many lines were stored.
    private func collect(_ record: inout BatchRecord, _ batch: BatchObject) async throws -> Int {
        let origins = Dictionary(uniqueKeysWithValues: record.lines.map { key, step in
            (key, BatchLineOrigin(stepID: Self.stepID(step, key: key), model: record.model))
        })
        var paths = [String]()
        defer { for path in paths { unlink(path) } }
        for fileID in [batch.outputFileId, batch.errorFileId].compactMap({ $0 }) {
            let path = records.folder.path + "/." + record.name + "-" + fileID + ".jsonl"
            paths.append(path)
            try await client.downloadFile(id: fileID, to: path)
        }
        let (cache, steps, prices, model, endpoint, lines, secrets) = (self.cache, self.steps, self.prices, record.model,
                                                                       record.endpoint, record.lines, self.secrets)
        let batchID = batch.id
        let read = paths
        let (storedKeys, found, finals, problems) = try await BlockingIO.run { () -> ([String], [String: String], Set<String>, [String]) in
            // One reader for both files: a custom_id in both is reported, not stored twice.
            var reader = BatchOutputReader(expected: origins, secrets: secrets)
            var storedKeys = [String](), found = [String: String](), finals = Set<String>(), problems = [String]()
            for path in read {
                try reader.read(path: path) { event in
                    switch event {
                    case let .problem(problem):
                        problems.append("\(problem)")
                    case let .result(line):
                        switch line.outcome {
                        case let .succeeded(response):
                            let step = steps[line.customID] ?? Self.standIn(key: line.customID, step: lines[line.customID],
                                                                            model: model, endpoint: endpoint)
                            var resolved = response.resolved
                            resolved["via"] = "batch"
                            resolved["batch_id"] = batchID
                            let cost = response.usage.map { prices.cost(model: model, usage: $0) * 0.5 }
                            try cache.store(key: line.customID, step: step, images: response.images, digests: response.digests,
                                            usage: response.usage, requestID: response.requestID, costUSD: cost, resolved: resolved)
                            storedKeys.append(line.customID)
                        case let .failed(error, _):
                            found[line.customID] = error.description
                            if [.invalidRequest, .moderationBlocked].contains(error.kind) { finals.insert(line.customID) }
                        case let .notRun(code, message):
                            found[line.customID] = "not run (\(code)): \(message)"
                        }
                    }
                }
            }
            return (storedKeys, found, finals, problems)
        }
        if let share { storedKeys.forEach(share) }
        for problem in problems { Console.err("warning: batch \(batchID): \(problem)") }
        var failures = found
        // Lines with no answer at all (a batch that failed validation, expired or was cancelled first).
        let reason: String = switch batch.status {
        case .failed: "the batch failed validation: " + (batch.validationErrors.map { item in
            (item.line.map { "line \($0): " } ?? "") + (Self.said(item.code, item.message)) }.joined(separator: "; "))
        case .expired: "the batch expired before this line ran; the next kiln build --batch submits it again"
        case .cancelled: "the batch was cancelled before this line ran; the next kiln build --batch submits it again"
        default: "the batch finished without an answer for this line; the next kiln build --batch submits it again"
        }
        for key in record.lines.keys where failures[key] == nil && !cache.hasEntry(key) {
            failures[key] = reason
        }
        record.failures = failures
        record.final = finals
        return storedKeys.count
    }

    /// `code: message`, either alone, or `rejected` when the service said neither.
    static func said(_ code: String?, _ message: String?) -> String {
        let parts = [code, message].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? "rejected" : parts.joined(separator: ": ")
    }

    /// The step id a record gives a line, or a stand-in naming the key when it is not one.
    static func stepID(_ recorded: String?, key: String) -> StepID {
        recorded.flatMap { StepID(parsing: $0) } ?? StepID(pipeline: "batch", asset: "line", variant: nil, step: String(key.prefix(12)))
    }

    /// A step for a line whose step is no longer in the manifests: the answer was paid for, so it
    /// is stored under its key all the same.
    static func standIn(key: String, step: String?, model: String, endpoint: String) -> PlannedStep {
        PlannedStep(id: stepID(step, key: key),
                    kind: endpoint.hasSuffix("edits") ? .edit : .generate, provider: "openai", model: model, cacheKey: key)
    }
}
