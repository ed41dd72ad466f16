import Foundation
import KilnCore
import KilnOpenAI

/// Sends paid steps as Batch API batches: edit inputs uploaded once each (by digest), the lines
/// written to JSONL files within the service's limits (one endpoint and model per file), each file
/// uploaded, recorded, and its batch created — the record written before every call whose answer
/// a crash could lose, so a rerun finds the batch instead of creating another.
struct BatchSubmitter {
    let client: BatchClient
    let records: BatchRecords
    var limits = BatchLimits.service
    /// The shared remote cache's holds: each file's lines are held there before its batch is created.
    var holds: RemoteBatchHolds?

    /// Submits `requests` (cache key → request); returns the records of the batches created.
    func submit(_ requests: [(key: String, request: ImageRequest)]) async throws -> [BatchRecord] {
        guard !requests.isEmpty else { return [] }
        var uploaded = records.uploadedInputs()
        for (digest, image) in BatchLine.inputsToUpload(requests.map(\.request)) where uploaded[digest] == nil {
            let path = records.folder.path + "/.input-" + digest.prefix(16) + "." + image.format.fileExtension
            try AtomicFile.write(image.data, toPath: path)
            defer { unlink(path) }
            uploaded[digest] = try await client.uploadFile(path: path, purpose: "vision").id
            try records.saveUploadedInputs(uploaded)
        }
        let scratch = records.folder.appendingPathComponent(".writing-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let files = try await BlockingIO.run { [limits, uploaded] () -> [BatchInputFile] in
            try AtomicFile.ensureDirectory(scratch)
            let writer = try BatchFileWriter(folder: scratch.path, limits: limits)
            for (key, request) in requests {
                try writer.append(try BatchLine(customID: key, request: request, fileIDs: uploaded))
            }
            return try writer.finish()
        }
        let stepOf = Dictionary(requests.map { ($0.key, $0.request.stepID.description) }, uniquingKeysWith: { a, _ in a })
        var made = [BatchRecord]()
        // Unique across machines sharing a remote cache (records are published there by name).
        let stamp = "\(Int(Date().timeIntervalSince1970))-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        for (n, file) in files.enumerated() {
            let input = try await client.uploadFile(path: file.path, purpose: "batch")
            var record = BatchRecord(name: "\(stamp)-\(n + 1)", inputFileID: input.id, batchID: nil,
                                     endpoint: file.endpoint.rawValue, model: file.model,
                                     lines: Dictionary(file.customIDs.map { ($0, stepOf[$0] ?? $0) }, uniquingKeysWith: { a, _ in a }),
                                     submittedAt: Date().timeIntervalSince1970, status: "uploaded", total: file.customIDs.count)
            try records.save(record)
            if let holds {
                // Held for every machine before the batch exists: none of them pays for these lines
                // from here on (a crash now leaves the upload, which any of them can turn into the batch).
                record.published = false
                try records.save(record)
                record.published = await holds.publish(record, holds: true)
                try records.save(record)
            }
            let batch = try await client.createBatch(inputFileID: input.id, endpoint: file.endpoint,
                                                     metadata: ["kiln_record": record.name])
            record.batchID = batch.id
            record.status = batch.status.description
            record.expiresAt = batch.expiresAt.map(Double.init)
            try records.save(record)
            if let holds, record.published == true { _ = await holds.publish(record, holds: false) }
            made.append(record)
        }
        return made
    }
}
