import Foundation
import KilnCore
import Synchronization

/// A shared cache behind the local one: looked up after a local miss and before any provider call,
/// written after the local store. The remote store is any `CacheBackend` (HTTP, S3; in tests a
/// folder); what it holds is `ac/<key>` (`RemoteActionValue`: the record, optionally signed) and
/// `cas/<sha256>` (each image).
///
/// It never fails a build and never makes one pay twice when it can help it:
/// - a hit is copied into the local cache blob by blob through temp files, each blob's SHA-256 and
///   size checked before it is renamed into place; a mismatch, a bad signature or a malformed record
///   is a miss, counted and reported, never used;
/// - failures are retried a little (`Options.attempts`), each operation has a deadline, and after
///   `Options.breakerThreshold` failures in a row (or one refusal) look-ups, or uploads — counted
///   apart — stop for the rest of the build (one warning); `Options.required` makes any failure
///   throw instead;
/// - uploads run in the background, a few at a time, after the local store: images first (skipping
///   those it knows the store has; see `Uploader`), then the record, so a reader never sees a
///   record without its images. `waitForUploads` lets the build finish them before it exits.
public final class RemoteTier: Sendable {
    public struct Options: Sendable {
        /// Read, never write (pull requests from forks).
        public var readOnly = false
        /// A remote failure fails the build (and an upload failure the run).
        public var required = false
        /// Sign records on write, refuse unsigned or wrongly signed ones on read.
        public var signing: RemoteActionValue.SigningKey?
        /// Uploads in flight at once.
        public var uploadConcurrency = 16
        /// Tries per operation when the store is unavailable.
        public var attempts = 3
        /// The longest one operation (a look-up with its images, an upload) may take.
        public var timeout: Duration = .seconds(120)
        /// Failures in a row after which the store is given up for the rest of the build.
        public var breakerThreshold = 3

        public init() {}
    }

    public var backend: any CacheBackend { core.backend }
    public var options: Options { core.options }
    private let core: Core
    private let queue: AsyncStream<String>.Continuation
    private let workers: Task<Void, Never>

    /// - Parameter warn: told, once per kind of problem, what went wrong (one line, no secrets).
    public init(backend: any CacheBackend, local: ResultCache, options: Options = Options(),
                warn: @escaping @Sendable (String) -> Void = { _ in }) {
        let core = Core(backend: backend, local: local, options: options, state: TierState(), warn: warn)
        self.core = core
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        queue = continuation
        let concurrency = max(1, options.uploadConcurrency)
        workers = Task {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for await key in stream {
                    if running >= concurrency, await group.next() != nil { running -= 1 }
                    group.addTask { await core.uploadNow(key) }
                    running += 1
                }
            }
        }
    }

    deinit {
        queue.finish()
    }

    public var stats: RemoteStats { core.state.lock.withLock { $0.stats } }
    /// The first failure, when there was one (for `--remote-cache-required`).
    public var failure: String? { core.state.lock.withLock { $0.failure } }
    /// Whether the store was given up for the rest of the build.
    public var isGivenUp: Bool { core.isGivenUp }
    /// Whether uploads were given up for the rest of the build (look-ups may go on).
    public var uploadsGivenUp: Bool { core.uploadsGivenUp }

    /// After a local miss: copies `key`'s answer from the store into the local cache. True when the
    /// local cache now has it. Throws only with `Options.required`, when the store failed.
    public func fetch(_ key: String) async throws -> Bool {
        try await core.fetch(key)
    }

    /// After a local store: uploads `key`'s answer in the background (not in read-only mode).
    public func upload(_ key: String) {
        guard !core.options.readOnly else { return }
        queue.yield(key)
    }

    /// Stops the uploads not finished (`--no-wait-upload`): those in flight are cancelled, the
    /// queued ones dropped; `kiln cache push` sends them later.
    public func abandonUploads() {
        queue.finish()
        workers.cancel()
    }

    /// Waits for every upload asked for so far; no upload may be asked for after it.
    public func waitForUploads() async {
        queue.finish()
        await workers.value
    }

    /// Uploads the answers under `keys` now (`kiln cache push`), a few at a time; returns how many
    /// were uploaded.
    public func push(_ keys: [String]) async -> Int {
        let core = self.core
        let before = stats.uploaded
        await Self.forEach(keys, limit: core.options.uploadConcurrency) { await core.uploadNow($0, replacing: false) }
        return stats.uploaded - before
    }

    /// Copies the answers of `keys` the local cache lacks from the store, 32 at a time (before a
    /// `--locked` check, which reads only the local cache).
    public func prefetch(_ keys: [String]) async {
        _ = await fetchAll(keys.filter { !core.local.hasEntry($0) })
    }

    /// Fetches `keys`, `limit` at a time; returns those the local cache has afterwards. 32: a pull
    /// of 1,000 answers from nginx on loopback took as long as with 64, in 90 MiB instead of 115.
    public func fetchAll(_ keys: [String], limit: Int = 32) async -> Set<String> {
        let core = self.core
        let found = Mutex(Set<String>())
        await Self.forEach(keys, limit: limit) { key in
            if (try? await core.fetch(key)) == true { found.withLock { _ = $0.insert(key) } }
        }
        return found.withLock { $0 }
    }

    /// Runs `body` for each key, at most `limit` at once.
    private static func forEach(_ keys: [String], limit: Int, _ body: @escaping @Sendable (String) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func start() {
                guard next < keys.count else { return }
                let key = keys[next]
                next += 1
                group.addTask { await body(key) }
            }
            for _ in 0..<max(1, limit) { start() }
            while await group.next() != nil { start() }
        }
    }
}
