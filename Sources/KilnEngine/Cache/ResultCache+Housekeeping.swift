import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ResultCache {
    /// An unused object younger than this is kept by `collectGarbage`: it may belong to a store in
    /// another process whose action entry is not written yet (objects are written first).
    static let objectGrace: TimeInterval = 3600

    /// Counts the cache's stored images ("objects": inside entries, and format-2 object files),
    /// their bytes, and its entries (both formats).
    public func stats() throws -> CacheStats {
        var stats = CacheStats(objects: 0, objectBytes: 0, actions: 0)
        for object in CacheFiles.fanOut(objectsPath) {
            guard let info = CacheFiles.status(object.path), (info.st_mode & S_IFMT) == S_IFREG else { continue }
            stats.objects += 1
            stats.objectBytes += Int64(info.st_size)
        }
        for action in CacheFiles.fanOut(actionsPath) {
            if action.name.hasSuffix(".json") {
                stats.actions += 1
            } else if action.name.hasSuffix(CacheEntryFile.fileExtension) {
                stats.actions += 1
                guard let record = CacheEntryFile.record(at: action.path) else { continue }
                stats.objects += record.images.count
                stats.objectBytes += Int64(record.images.reduce(0) { $0 + $1.bytes })
            }
        }
        return stats
    }

    /// Removes what no build needs: entries last used more than `keepDays` ago whose key is not in
    /// `keepKeys` (the lockfile's keys), then format-2 objects that no remaining record names and
    /// that are not in `keepObjects` (the lockfile's digests), then temp files of dead processes.
    /// An entry that cannot be read is removed too (a lookup would never use it). Unused objects
    /// written in the last hour are kept, as a concurrent build may be about to name them.
    public func collectGarbage(keepDays: Int, keepKeys: Set<String>, keepObjects: Set<String>,
                               now: Date = Date()) throws -> GCReport {
        var report = GCReport()
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86_400)
        var referenced = keepObjects
        for action in CacheFiles.fanOut(actionsPath) {
            guard let info = CacheFiles.status(action.path) else { continue }
            if action.name.hasSuffix(CacheEntryFile.fileExtension) {
                // Format 3: the entry holds its images; it goes whole, or stays whole.
                let key = String(action.name.dropLast(CacheEntryFile.fileExtension.count))
                let record = CacheEntryFile.record(at: action.path)
                let old = CacheFiles.modificationDate(info) < cutoff && !keepKeys.contains(key)
                if (record == nil || old), unlink(action.path) == 0 {
                    report.actionsRemoved += 1
                    report.objectsRemoved += record?.images.count ?? 0
                    report.bytesFreed += Int64(info.st_size)
                }
                continue
            }
            guard action.name.hasSuffix(".json") else { continue }
            let key = String(action.name.dropLast(".json".count))
            let images = CacheFiles.read(action.path).flatMap { try? JSONDecoder().decode(References.self, from: $0) }
            let old = CacheFiles.modificationDate(info) < cutoff && !keepKeys.contains(key)
            if let images, !old {
                referenced.formUnion(images.images.map(\.sha256))
            } else if unlink(action.path) == 0 {
                report.actionsRemoved += 1
                report.bytesFreed += Int64(info.st_size)
            }
        }
        let graceCutoff = now.addingTimeInterval(-Self.objectGrace)
        for object in CacheFiles.fanOut(objectsPath) where !referenced.contains(object.name) {
            guard let info = CacheFiles.status(object.path),
                  CacheFiles.modificationDate(info) < graceCutoff, unlink(object.path) == 0 else { continue }
            report.objectsRemoved += 1
            report.bytesFreed += Int64(info.st_size)
        }
        let swept = sweep()
        report.temporariesRemoved = swept.count + removeLegacyLocks()
        report.bytesFreed += swept.bytes
        return report
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
        for name in CacheFiles.names(in: tmpPath) {
            let path = tmpPath + "/" + name
            guard let info = CacheFiles.status(path) else { continue }
            let dead: Bool
            if let dash = name.firstIndex(of: "-"), let pid = pid_t(name[..<dash]), pid > 0 {
                dead = !ProcessLiveness.isAlive(pid)
            } else {
                dead = CacheFiles.modificationDate(info) < now.addingTimeInterval(-Self.objectGrace)
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
        let names = CacheFiles.names(in: legacyLocksPath).filter { $0.hasSuffix(".lock") }
        let removed = names.filter { unlink(legacyLocksPath + "/" + $0) == 0 }.count
        rmdir(legacyLocksPath)
        return removed
    }

    /// Just the digests of a record, whatever its version, so a record written by another Kiln
    /// version keeps its objects.
    private struct References: Decodable {
        struct Image: Decodable { var sha256: String }
        var images: [Image]
    }
}
