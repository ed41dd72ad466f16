import ArgumentParser
import Foundation
import KilnEngine
import KilnCache
import KilnLock

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect, trim, check or share the result cache.",
        subcommands: [Stats.self, GC.self, Verify.self, Push.self, Pull.self])

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Objects, bytes, entries, the hit rate of the last build and what its remote cache did.")

        @OptionGroup var cache: CacheArguments

        func run() async throws {
            let cache = ResultCache(directory: ProjectFiles.cacheDirectory(flag: cache.cacheDir, workspace: Workspace()))
            let stats = try cache.stats()
            var lines = ["cache    \(cache.directory.path)",
                         "images   \(stats.objects) (\(stats.objectBytes) bytes)",
                         "entries  \(stats.actions)"]
            if let last = cache.lastBuild() {
                let total = last.hits + last.misses
                let rate = total == 0 ? "nothing ran" : String(format: "%.0f%% hit rate", Double(last.hits) / Double(total) * 100)
                lines.append("last     \(last.hits) hit(s), \(last.misses) miss(es): \(rate) (\(last.date.formatted(.iso8601)))")
                if let remote = last.remote { lines.append("remote   \(remote.summary)") }
            } else {
                lines.append("last     no build recorded")
            }
            Console.out(lines.joined(separator: "\n") + "\n")
        }
    }

    struct GC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Drop cache entries that kiln.lock does not name and no build used recently.",
            discussion: """
            An entry is kept when kiln.lock names its key or a build used it within --keep-days; an object is kept when a kept entry or kiln.lock names it. Paid answers that are still in use are never dropped. Safe while another build runs.

            Examples:
              kiln cache gc                 # keep what was used in the last 30 days
              kiln cache gc --keep-days 0   # keep only what kiln.lock names
            """)

        @Option(help: "Keep entries used within this many days (default 30).")
        var keepDays: Int = 30

        @OptionGroup var cache: CacheArguments

        func validate() throws {
            guard keepDays >= 0 else { throw ValidationError("--keep-days must be 0 or more") }
        }

        func run() async throws {
            let workspace = Workspace()
            let cache = ResultCache(directory: ProjectFiles.cacheDirectory(flag: cache.cacheDir, workspace: workspace))
            let lock = try LockFile.read(from: workspace.root.appendingPathComponent(LockFile.fileName))
            let steps = lock?.steps.values.map { $0 } ?? []
            let report = try cache.collectGarbage(keepDays: keepDays, keepKeys: Set(steps.map(\.cacheKey)))
            Console.out("removed \(report.actionsRemoved) entr\(report.actionsRemoved == 1 ? "y" : "ies"), "
                + "\(report.objectsRemoved) image(s), \(report.temporariesRemoved) temp file(s): \(report.bytesFreed) bytes freed\n")
        }
    }
}
