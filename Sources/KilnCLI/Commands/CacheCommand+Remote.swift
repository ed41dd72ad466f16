import ArgumentParser
import Foundation
import KilnCache
import KilnLock
import KilnManifest

extension CacheCommand {
    /// `kiln cache verify`: every local entry read back and each image checked against its digest;
    /// with `--remote`, every answer kiln.lock names checked in the remote cache too.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every cached image against its digest (and, with --remote, what kiln.lock names in the remote cache).",
            discussion: """
            A damaged local entry is removed (the next build makes or fetches it again, as a look-up would). With --remote, each answer kiln.lock names is downloaded from the remote cache into a scratch folder and checked the way a build checks it (digests, signature with KILN_CACHE_SIGNING_KEY). Exit 1 when anything was damaged or missing.
            """)

        @OptionGroup var cache: CacheArguments
        @OptionGroup var remote: RemoteCacheArguments

        @Flag(name: .customLong("remote"), help: "Also check the remote cache's copy of every answer kiln.lock names.")
        var remoteCopies = false

        func run() async throws {
            let workspace = Workspace()
            let local = ResultCache(directory: ProjectFiles.cacheDirectory(flag: cache.cacheDir, workspace: workspace))
            let keys = local.keys()
            let damaged = keys.filter { !local.verify($0) }
            Console.out("local    \(keys.count) entr\(keys.count == 1 ? "y" : "ies") checked, \(damaged.count) damaged (removed)\n")
            for key in damaged { Console.out("  damaged \(key)\n") }
            var failed = !damaged.isEmpty
            if remoteCopies {
                let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-verify-\(UUID().uuidString)")
                defer { try? FileManager.default.removeItem(at: scratch) }
                let scratchCache = ResultCache(directory: scratch)
                guard let session = try RemoteCacheSession.open(remote, environment: workspace.environment,
                                                                manifests: CacheCommand.manifests(workspace), local: scratchCache) else {
                    throw ValidationError("--remote needs a remote cache: --remote-cache URL or $KILN_REMOTE_CACHE")
                }
                let lock: LockFile?
                do {
                    lock = try LockFile.read(from: workspace.root.appendingPathComponent(LockFile.fileName))
                } catch {
                    _ = await session.finish(wait: false)
                    throw error
                }
                let named = Set(lock?.steps.values.map(\.cacheKey) ?? []).sorted()
                let found = await session.tier.fetchAll(named)
                let missing = named.filter { !found.contains($0) }
                _ = await session.finish(wait: false)
                Console.out("remote   \(named.count) answer(s) kiln.lock names checked, \(missing.count) missing or damaged\n")
                for key in missing { Console.out("  missing \(key)\n") }
                failed = failed || !missing.isEmpty
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `kiln cache pull`: copies every answer kiln.lock names from the remote cache into the local
    /// one, so a later build (`--locked`, `--cache-only`, or on a plane) needs neither the network
    /// nor the provider.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download every answer kiln.lock names that the local cache lacks from the remote cache.",
            discussion: """
            Each image is checked against its digest as it arrives (and each record against its signature with KILN_CACHE_SIGNING_KEY) before it enters the local cache; nothing is uploaded. Exit 1 when the remote cache lacks some of them (they are listed by step).

            Examples:
              kiln cache pull --remote-cache s3://team-cache/kiln
              KILN_REMOTE_CACHE=http://cache.internal:8080/kiln kiln cache pull && kiln build --locked
            """)

        @OptionGroup var cache: CacheArguments
        @OptionGroup var remote: RemoteCacheArguments

        func run() async throws {
            let workspace = Workspace()
            let lockPath = workspace.root.appendingPathComponent(LockFile.fileName)
            guard let lock = try LockFile.read(from: lockPath) else {
                throw ValidationError("no \(LockFile.fileName) here: `kiln cache pull` fetches what a lock names; run `kiln build` once first")
            }
            let local = ResultCache(directory: ProjectFiles.cacheDirectory(flag: cache.cacheDir, workspace: workspace))
            guard let session = try RemoteCacheSession.open(remote, environment: workspace.environment,
                                                            manifests: CacheCommand.manifests(workspace), local: local) else {
                throw ValidationError("no remote cache: pass --remote-cache URL or set $KILN_REMOTE_CACHE")
            }
            let named = Set(lock.steps.values.map(\.cacheKey))
            let wanted = named.filter { !local.hasEntry($0) }.sorted()
            let found = await session.tier.fetchAll(wanted)
            _ = await session.finish(wait: false)
            let missing = lock.steps.filter { !found.contains($0.value.cacheKey) && !local.hasEntry($0.value.cacheKey) }
            Console.out("pulled \(found.count) answer(s) (\(named.count - wanted.count) here already); "
                + "\(Set(missing.map(\.value.cacheKey)).count) missing or damaged in the remote cache\n")
            for (step, entry) in missing.sorted(by: { $0.key < $1.key }) {
                Console.out("  missing \(step)  \(entry.cacheKey.prefix(12))…\n")
            }
            if !missing.isEmpty { throw ExitCode(1) }
        }
    }

    /// `kiln cache push`: uploads what the local cache has and the remote cache lacks.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upload every local cache entry the remote cache lacks (an entry whose record it has is not sent again).",
            discussion: """
            For a build run with --no-wait-upload, or a cache filled before the remote cache was set up. Each image is checked against its digest before it is sent; records are signed with KILN_CACHE_SIGNING_KEY when it is set.

            Examples:
              kiln cache push --remote-cache s3://team-cache/kiln
              KILN_REMOTE_CACHE=http://cache.internal:8080/kiln kiln cache push
            """)

        @OptionGroup var cache: CacheArguments
        @OptionGroup var remote: RemoteCacheArguments

        func run() async throws {
            let workspace = Workspace()
            let local = ResultCache(directory: ProjectFiles.cacheDirectory(flag: cache.cacheDir, workspace: workspace))
            guard let session = try RemoteCacheSession.open(remote, environment: workspace.environment,
                                                            manifests: CacheCommand.manifests(workspace), local: local) else {
                throw ValidationError("no remote cache: pass --remote-cache URL or set $KILN_REMOTE_CACHE")
            }
            guard !session.tier.options.readOnly else {
                _ = await session.finish(wait: false)
                throw ValidationError("the remote cache is read-only here (--remote-cache-read-only or $KILN_REMOTE_CACHE_READ_ONLY)")
            }
            let keys = local.keys()
            let pushed = await session.tier.push(keys)
            let failure = await session.finish(wait: true)
            Console.out("pushed \(pushed) of \(keys.count) entr\(keys.count == 1 ? "y" : "ies")\n")
            if pushed < keys.count || failure != nil { throw ExitCode(1) }
        }
    }
}

extension CacheCommand {
    /// The workspace's manifests, for their `cache:` blocks (invalid ones are left out: these
    /// commands do not plan).
    static func manifests(_ workspace: Workspace) -> [PipelineManifest] {
        workspace.load(workspace.manifestFiles([]).files).manifests
    }
}
