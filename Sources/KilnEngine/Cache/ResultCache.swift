import Foundation
import KilnCore

/// Content-addressed results on disk, keyed by `PlannedStep.cacheKey`.
///
/// Layout: `<directory>/<key prefix>/<key>/record.json` plus `image-<i>.<ext>`. An entry is written
/// into a temp directory beside the entries and renamed into place whole, so a lookup sees a
/// complete entry or none. `store` is called the moment a provider answers, before outputs are
/// written, and through `storeShielded` so task cancellation cannot cut it short: an answer that
/// was paid for is never thrown away.
public struct ResultCache: Sendable {
    /// The cache's root directory.
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `.kiln/cache` under a project root.
    public static func defaultDirectory(projectRoot: URL) -> URL {
        projectRoot.appendingPathComponent(".kiln").appendingPathComponent("cache")
    }

    /// The stored result for `key`, or nil when there is none (or it is damaged: a damaged
    /// entry is treated as a miss and replaced by the next store).
    public func lookup(_ key: String) throws -> CachedResult? {
        let entry = try entryDirectory(key)
        let recordURL = entry.appendingPathComponent("record.json")
        guard let recordData = try? Data(contentsOf: recordURL) else { return nil }
        guard let record = try? JSONDecoder().decode(CacheRecord.self, from: recordData),
              record.cacheKey == key else { return nil }
        var images = [Data]()
        for image in record.images {
            guard let data = try? Data(contentsOf: entry.appendingPathComponent(image.file)),
                  Digest.sha256(data) == image.sha256 else { return nil }
            images.append(data)
        }
        return CachedResult(record: record, images: images)
    }

    /// Stores a result atomically; returns the record written. Replaces a damaged entry; keeps an
    /// intact one (same key, same content by construction).
    @discardableResult
    public func store(key: String, step: PlannedStep, images: [Data], usage: Usage?, requestID: String?,
                      resolved: [String: String]) throws -> CacheRecord {
        let entry = try entryDirectory(key)
        var stored = [CacheRecord.Image]()
        for (i, data) in images.enumerated() {
            let format = ImageFormat(sniffing: data)
            stored.append(.init(file: "image-\(i).\(format?.fileExtension ?? "bin")", sha256: Digest.sha256(data),
                                bytes: data.count, format: format))
        }
        let record = CacheRecord(cacheKey: key, step: step.id, kind: step.kind, provider: step.provider,
                                 model: step.model, usage: usage, requestID: requestID, resolved: resolved,
                                 images: stored)
        let fm = FileManager.default
        let staging = URL(fileURLWithPath: directory.path + "/tmp/" + UUID().uuidString, isDirectory: true)
        var moved = false
        defer { if !moved { AtomicFile.discard(staging) } }
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        for (image, data) in zip(stored, images) {
            try data.write(to: staging.appendingPathComponent(image.file))
        }
        try CanonicalJSON.encode(record, pretty: true).write(to: staging.appendingPathComponent("record.json"))
        try AtomicFile.ensureDirectory(entry.deletingLastPathComponent())
        if fm.fileExists(atPath: entry.path) {
            if (try? lookup(key)) != nil { return record }
            try fm.removeItem(at: entry)
        }
        do {
            try fm.moveItem(at: staging, to: entry)
            moved = true
        } catch where (try? lookup(key)) != nil {
            // Another build stored the same key at the same moment: theirs is as good as ours.
        }
        return record
    }

    /// `store`, run on a dispatch queue (off the cooperative pool) so cancelling the calling task
    /// cannot interrupt it.
    @discardableResult
    public func storeShielded(key: String, step: PlannedStep, images: [Data], usage: Usage?, requestID: String?,
                              resolved: [String: String]) async throws -> CacheRecord {
        try await BlockingIO.run {
            try self.store(key: key, step: step, images: images, usage: usage, requestID: requestID,
                           resolved: resolved)
        }
    }

    private func entryDirectory(_ key: String) throws -> URL {
        guard key.count >= 8, key.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw EngineError(.cacheCorrupt, "cache key '\(key)' is not a lowercase hex digest; re-plan the build")
        }
        return URL(fileURLWithPath: directory.path + "/" + key.prefix(2) + "/" + key, isDirectory: true)
    }
}
