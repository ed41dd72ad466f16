import Foundation
import KilnCore
import Synchronization

// The remote tier's workings behind `RemoteTier`: its mutable state, look-ups, uploads (each one
// through `Uploader`, in Uploader.swift) and the failure policy (retries, deadlines, the read and
// write breakers).

/// The tier's mutable state, shared by the tier and its upload workers.
final class TierState: Sendable {
    struct Values {
        var stats = RemoteStats()
        /// Reads and writes fail apart: credentials that may read but not write (or a store that
        /// refuses large bodies) stop the uploads, never the look-ups that save paying.
        var readFailuresInARow = 0
        var writeFailuresInARow = 0
        var readOpen = false
        var writeOpen = false
        var warnedUnavailable = false
        var rejectionsReported = 0
        /// The first failure, for `--remote-cache-required`.
        var failure: String?
        /// Images whose copy in the store was found damaged: the next upload of one sends it
        /// again instead of trusting the store's HEAD, so one damaged copy is not paid for by
        /// every machine that reads it.
        var damagedBlobs: Set<String> = []
        /// Keys whose value in the store was refused (damaged, wrongly signed): not asked again —
        /// a batch round and the engine both look keys up, and one damaged value is one report.
        var rejectedKeys: Set<String> = []
        /// Keys counted as misses: looked up again later (another machine may have made them
        /// since), but counted once. An upload of one sends its images without asking for them.
        var missedKeys: Set<String> = []
        /// Images this process sent to the store or fetched from it whole: not asked for or sent
        /// again (a pick's image is its candidate's).
        var blobsInStore: Set<String> = []
    }

    let lock = Mutex(Values())
}

/// What the tier does, without the upload queue: look-ups, uploads and the failure policy.
struct Core: Sendable {
    let backend: any CacheBackend
    /// The local cache hits are copied into and uploads are read from.
    let local: ResultCache
    let options: RemoteTier.Options
    let state: TierState
    let warn: @Sendable (String) -> Void

    var isGivenUp: Bool { state.lock.withLock { $0.readOpen } }
    var uploadsGivenUp: Bool { state.lock.withLock { $0.writeOpen } }

    // MARK: - Look-up

    func fetch(_ key: String) async throws -> Bool {
        guard CacheAddress.action(key: key).isValid else { return false }
        if state.lock.withLock({ $0.rejectedKeys.contains(key) }) { return false }
        if isGivenUp {
            state.lock.withLock { $0.stats.errors += 1 }
            if options.required {
                throw RemoteStoreError(.unavailable, qualified("given up after earlier failures (--remote-cache-required)"))
            }
            return false
        }
        do {
            let found = try await attempt("look-up of \(key.prefix(12))…", writing: false) { try await self.fetchNow(key) }
            state.lock.withLock {
                if found { $0.stats.hits += 1 } else if $0.missedKeys.insert(key).inserted { $0.stats.misses += 1 }
            }
            return found
        } catch let rejection as RemoteActionValue.Rejection {
            reject("the record for \(key.prefix(12))… was not used: \(rejection)")
            settle(key)
            return false
        } catch let mismatch as BlobMismatch {
            reject(mismatch.description)
            settle(key)
            return false
        } catch let error as RemoteStoreError where error.kind == .invalid {
            // An answer the store gave that cannot be used (a damaged value, a body cut short): a
            // miss to report, not a store to give up on.
            reject(error.message)
            settle(key)
            return false
        } catch {
            try failed(error, writing: false)
            return false
        }
    }

    private func settle(_ key: String) {
        state.lock.withLock { _ = $0.rejectedKeys.insert(key) }
    }

    /// The file work (checks, renames, the entry) runs off the cooperative pool, one hop per image:
    /// with 32 fetches at once on two cores, blocking calls there stalled the transfers themselves.
    private func fetchNow(_ key: String) async throws -> Bool {
        guard let value = try await backend.get(.action(key: key)) else { return false }
        let record = try RemoteActionValue.decode(value, key: key, signing: options.signing)
        let (local, store, verifies) = (self.local, backend.name, backend.verifiesBlobDownloads)
        var downloaded: Int64 = 0
        for image in record.images {
            let address = CacheAddress.blob(sha256: image.sha256)
            let target = local.store.path(for: address)
            let temp = URL(fileURLWithPath: local.tmpPath + "/" + TemporaryName.next())
            let present = try await BlockingIO.run { () -> Bool in
                if local.store.existsNow(address),
                   (try? Digest.sha256(fileAt: URL(fileURLWithPath: target))) == image.sha256 { return true }
                try AtomicFile.ensureDirectory(path: local.tmpPath)
                return false
            }
            if present { continue }
            do {
                guard try await backend.download(address, to: temp) else {
                    unlink(temp.path)
                    return false
                }
                downloaded += try await BlockingIO.run {
                    // stat(2), not `FileManager.attributesOfItem`, which also looks the owner up in /etc/passwd.
                    let size = PosixFile.status(temp.path).map { Int($0.st_size) } ?? -1
                    // Hashed as it arrived by a backend that says so; read and hashed here otherwise.
                    let digest = verifies ? image.sha256 : try Digest.sha256(fileAt: temp)
                    guard digest == image.sha256, size == image.bytes else {
                        throw BlobMismatch(sha256: image.sha256, store: store)
                    }
                    try AtomicFile.ensureDirectory(path: (target as NSString).deletingLastPathComponent)
                    guard chmod(temp.path, 0o444) == 0, rename(temp.path, target) == 0 else {
                        throw PosixFile.failure("rename into place", target, label: "cache")
                    }
                    return Int64(size)
                }
                state.lock.withLock { _ = $0.blobsInStore.insert(image.sha256) }
            } catch {
                unlink(temp.path)
                if error is BlobMismatch || (error as? RemoteStoreError)?.kind == .invalid {
                    state.lock.withLock { _ = $0.damagedBlobs.insert(image.sha256) }
                }
                throw error
            }
        }
        var entry = record
        entry.version = CacheEntryFile.version
        let encoded = CacheEntryFile.encode(entry)
        try await BlockingIO.run { try local.store.writeNow(encoded, at: .action(key: key)) }
        state.lock.withLock { $0.stats.bytesDown += downloaded }
        return true
    }

    /// A remote blob whose bytes are not the ones its digest names.
    struct BlobMismatch: Error, CustomStringConvertible {
        var sha256: String
        var store: String
        var description: String {
            "the image \(sha256.prefix(12))… in \(store) does not match its digest; it was not used (the store's copy is damaged or was altered)"
        }
    }

    // MARK: - Upload

    /// - Parameter replacing: send the record even when the store has one (a build's new answer);
    ///   false (`kiln cache push`) leaves a record the store has alone, so a push without the
    ///   signing key never replaces signed records.
    func uploadNow(_ key: String, replacing: Bool = true) async {
        guard !options.readOnly else { return }
        guard !uploadsGivenUp else {
            state.lock.withLock { $0.stats.notUploaded += 1 }
            return
        }
        let uploader = Uploader(backend: backend, local: local, signing: options.signing, replacing: replacing, state: state)
        do {
            guard let sent = try await attempt("upload of \(key.prefix(12))…", writing: true, { try await uploader.upload(key) }) else { return }
            state.lock.withLock {
                $0.stats.uploaded += 1
                $0.stats.blobsUploaded += sent.blobs
                $0.stats.bytesUp += sent.bytes
            }
        } catch {
            if !(error is CancellationError) { state.lock.withLock { $0.stats.notUploaded += 1 } }
            try? failed(error, writing: true)
        }
    }

    // MARK: - Failures

    /// Runs `operation` with the deadline, retrying an unavailable store; a success closes the
    /// count of failures in a row.
    private func attempt<T: Sendable>(_ what: String, writing: Bool, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        var tries = 0
        while true {
            tries += 1
            do {
                let value = try await Self.withDeadline(options.timeout, what: "\(backend.name): \(what)", operation)
                state.lock.withLock { if writing { $0.writeFailuresInARow = 0 } else { $0.readFailuresInARow = 0 } }
                return value
            } catch let error as RemoteStoreError where error.kind == .unavailable && tries < options.attempts
                        && !(writing ? uploadsGivenUp : isGivenUp) {
                try await Task.sleep(for: .milliseconds(200 * tries * tries))
            }
        }
    }

    /// Counts a failure; gives the store up after enough in a row; throws with `required`.
    private func failed(_ error: any Error, writing: Bool) throws {
        if error is CancellationError { throw error }
        let message = (error as? RemoteStoreError)?.message ?? "\(error)"
        let (warnNow, gaveUp) = state.lock.withLock { s -> (Bool, Bool) in
            s.stats.errors += 1
            if s.failure == nil { s.failure = message }
            let refused = (error as? RemoteStoreError)?.kind == .refused
            var opening = false
            if writing {
                s.writeFailuresInARow += 1
                opening = !s.writeOpen && (refused || s.writeFailuresInARow >= options.breakerThreshold)
                if opening { s.writeOpen = true }
            } else {
                s.readFailuresInARow += 1
                opening = !s.readOpen && (refused || s.readFailuresInARow >= options.breakerThreshold)
                if opening { s.readOpen = true }
            }
            let first = !s.warnedUnavailable
            s.warnedUnavailable = true
            return (first, opening)
        }
        if options.required {
            throw RemoteStoreError((error as? RemoteStoreError)?.kind ?? .unavailable,
                                   qualified(message) + " (--remote-cache-required)")
        }
        // One line per build: what failed first. The summary counts the rest.
        if warnNow {
            let what = writing ? "uploads" : "look-ups"
            warn(qualified(message) + "; the build goes on without it"
                 + (gaveUp ? " (\(what) stop for the rest of this build)" : " where it fails"))
        }
    }

    private func reject(_ message: String) {
        let report = state.lock.withLock { s -> Bool in
            s.stats.rejected += 1
            s.rejectionsReported += 1
            return s.rejectionsReported <= 5
        }
        if report { warn(qualified(message)) }
    }

    /// The message, naming the store once.
    private func qualified(_ message: String) -> String {
        let prefix = "remote cache \(backend.name): "
        return message.hasPrefix(prefix) ? message : prefix + message
    }

    static func withDeadline<T: Sendable>(_ limit: Duration, what: String,
                                          _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw RemoteStoreError(.unavailable, "\(what) took longer than \(limit)")
            }
            return value
        }
    }
}
