import Foundation
import KilnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ResultCache {
    /// A temp file without a writer's pid in its name, older than this, is removed by
    /// `sweepTemporaries` (it may belong to a writer still running).
    package static let temporaryGrace: TimeInterval = 3600

    /// Every key the cache has an entry for, sorted.
    public func keys() -> [String] {
        PosixFile.fanOut(actionsPath).compactMap { action in
            guard action.name.hasSuffix(CacheEntryFile.fileExtension) else { return nil }
            let key = String(action.name.dropLast(CacheEntryFile.fileExtension.count))
            return CacheAddress.action(key: key).isValid ? key : nil
        }.sorted()
    }

    /// Counts the cache's entries, the images they hold and their bytes (each blob once, however
    /// many entries name it).
    public func stats() throws -> CacheStats {
        var stats = CacheStats(objects: 0, objectBytes: 0, actions: 0)
        for action in PosixFile.fanOut(actionsPath) where action.name.hasSuffix(CacheEntryFile.fileExtension) {
            stats.actions += 1
            guard let record = CacheEntryFile.record(at: action.path), record.version == CacheEntryFile.inlineVersion else { continue }
            stats.objects += record.images.count
            stats.objectBytes += Int64(record.images.reduce(0) { $0 + $1.bytes })
        }
        for blob in PosixFile.fanOut(store.blobsPath) {
            guard let info = PosixFile.status(blob.path) else { continue }
            stats.objects += 1
            stats.objectBytes += Int64(info.st_size)
        }
        return stats
    }

    /// Removes what no build needs: entries last used more than `keepDays` ago whose key is not in
    /// `keepKeys` (the lockfile's keys), entries that cannot be read (a lookup would never use
    /// them), blobs no remaining entry names (once older than `temporaryGrace`: a store writes its
    /// blobs before its entry), everything of the earlier cache format 2 (never read), then temp
    /// files of dead processes.
    public func collectGarbage(keepDays: Int, keepKeys: Set<String>, now: Date = Date()) throws -> GCReport {
        var report = GCReport()
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86_400)
        var named = Set<String>()
        for action in PosixFile.fanOut(actionsPath) {
            guard let info = PosixFile.status(action.path) else { continue }
            if action.name.hasSuffix(CacheEntryFile.fileExtension) {
                let key = String(action.name.dropLast(CacheEntryFile.fileExtension.count))
                let record = CacheEntryFile.record(at: action.path)
                let old = PosixFile.modificationDate(info) < cutoff && !keepKeys.contains(key)
                if (record == nil || old), unlink(action.path) == 0 {
                    report.actionsRemoved += 1
                    if record?.version == CacheEntryFile.inlineVersion { report.objectsRemoved += record?.images.count ?? 0 }
                    report.bytesFreed += Int64(info.st_size)
                } else if let record, record.version == CacheEntryFile.version {
                    for image in record.images { named.insert(image.sha256) }
                }
            } else if action.name.hasSuffix(".json"), unlink(action.path) == 0 {
                report.actionsRemoved += 1  // a format-2 record
                report.bytesFreed += Int64(info.st_size)
            }
        }
        let blobCutoff = now.addingTimeInterval(-Self.temporaryGrace)
        for blob in PosixFile.fanOut(store.blobsPath) where !named.contains(blob.name) {
            guard let info = PosixFile.status(blob.path), PosixFile.modificationDate(info) < blobCutoff,
                  unlink(blob.path) == 0 else { continue }
            report.objectsRemoved += 1
            report.bytesFreed += Int64(info.st_size)
        }
        for object in PosixFile.fanOut(formatTwoObjectsPath) {
            guard let info = PosixFile.status(object.path), unlink(object.path) == 0 else { continue }
            report.objectsRemoved += 1
            report.bytesFreed += Int64(info.st_size)
        }
        if PosixFile.status(formatTwoObjectsPath) != nil {
            try? FileManager.default.removeItem(atPath: formatTwoObjectsPath)
        }
        let swept = sweep()
        report.temporariesRemoved = swept.count + removeLegacyLocks()
        report.bytesFreed += swept.bytes
        return report
    }

    /// Says, once per cache, that it holds entries of the earlier format 2 (an `objects/` folder),
    /// which this Kiln does not read: their steps are misses. Nil when there are none or they were
    /// reported before (a marker in `objects/` remembers; `collectGarbage` removes both).
    public func oldFormatNotice() -> String? {
        let marker = formatTwoObjectsPath + "/.reported"
        guard PosixFile.status(formatTwoObjectsPath) != nil, PosixFile.status(marker) == nil else { return nil }
        _ = FileManager.default.createFile(atPath: marker, contents: nil)
        return "the cache \(root) holds entries of an earlier Kiln format, which are no longer read "
            + "(their steps are built again); `kiln cache gc` removes them"
    }

    /// Removes temp files whose writer is no longer running (named `<pid>-<random>`, the pid gone),
    /// and anything else in `tmp/` older than an hour. Safe while other processes use the cache:
    /// a live process's files are kept. Returns how many were removed.
    @discardableResult
    public func sweepTemporaries() throws -> Int {
        sweep().count
    }

    private func sweep(now: Date = Date()) -> (count: Int, bytes: Int64) {
        var removed = (count: 0, bytes: Int64(0))
        for name in PosixFile.names(in: tmpPath) {
            let path = tmpPath + "/" + name
            guard let info = PosixFile.status(path) else { continue }
            let dead: Bool
            if let dash = name.firstIndex(of: "-"), let pid = pid_t(name[..<dash]), pid > 0 {
                dead = !ProcessLiveness.isAlive(pid)
            } else {
                dead = PosixFile.modificationDate(info) < now.addingTimeInterval(-Self.temporaryGrace)
            }
            guard dead, (try? FileManager.default.removeItem(atPath: path)) != nil else { continue }
            removed.count += 1
            removed.bytes += Int64(info.st_size)
        }
        return removed
    }

    /// Removes the per-key lock files (`locks/<key>.lock`) earlier Kiln versions created, one per
    /// paid step ever run; `keys.lock` replaced them. Returns how many were removed.
    private func removeLegacyLocks() -> Int {
        let names = PosixFile.names(in: legacyLocksPath).filter { $0.hasSuffix(".lock") }
        let removed = names.filter { unlink(legacyLocksPath + "/" + $0) == 0 }.count
        rmdir(legacyLocksPath)
        return removed
    }
}
