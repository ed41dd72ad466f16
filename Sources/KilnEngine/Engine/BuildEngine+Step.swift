import Foundation
import KilnCore
import KilnCache

extension BuildEngine {
    /// Phase one of a step, holding its pool slots: the cache lookup, then the provider call or
    /// the derive work. Returns the result to finish, or the step's failure.
    /// The result is checked in memory here too (see `verifyOutputs`), so the steps that read it
    /// can start the moment this phase ends, while it is stored and written. A result that fails
    /// the check is still stored in the cache first: it was paid for.
    /// `forced` (`--force`): skip the cache lookup; the new answer replaces the cached one.
    /// `lead`: the step leads one request for its candidates (see `produceCandidates`);
    /// `handoff`: its image, made by the leader's request.
    func producePhase(_ step: PlannedStep, upstream: [StepID: Data], forced: Bool = false,
                      lead: (siblings: [PlannedStep], forced: Set<StepID>)? = nil, handoff: Produced? = nil,
                      start: ContinuousClock.Instant) async -> PhaseOne {
        var produced: Produced
        do {
            try Task.checkCancellation()
            if let handoff {
                produced = handoff
            } else if let lead {
                let made = try await produceCandidates(step, siblings: lead.siblings, forced: lead.forced)
                produced = made.own
                produced.handoffs = made.handoffs
            } else {
                produced = try await produce(step, upstream: upstream, forced: forced)
            }
        } catch {
            return .done(failure(error, step: step, start: start))
        }
        do {
            let infos = try await verifyOutputs(step, produced, upstream: upstream)
            var result = produced
            result.deriveInput = nil   // checked: not held while the result is stored
            return .produced(result, verified: infos)
        } catch {
            await store(step, produced)
            produced.keyLock?.release()
            var run = failure(error, step: step, start: start)
            if !produced.fromCache && !produced.prepaid && step.kind.usesProvider {
                run.spentUSD = produced.handoffs.reduce(cost(of: step, usage: produced.usage).usd) { sum, handoff in
                    sum + (index[handoff.key].map { cost(of: plan.steps[$0], usage: handoff.value.usage).usd } ?? 0)
                }
            }
            return .done(run)
        }
    }

    /// Phase two, after the slots are released: store a new result in the cache (first, whatever
    /// happens next), then write the verified outputs — both in one trip off the cooperative pool,
    /// which cancellation cannot cut short, with each image hashed once. An output is placed from
    /// the cache's blob where that costs no copy (a clone; a link with `--link-outputs`:
    /// `AtomicFile.place`), else written.
    func persistPhase(_ checked: Produced.Checked) async -> StepRun {
        let (step, produced, infos, start) = (checked.step, checked.result, checked.verified, checked.start)
        let written: Result<[OutputWriter.Written], any Error>
        var storeFailure: (any Error)?
        do {
            (written, storeFailure) = try await BlockingIO.run {
                let digests = produced.sha256s
                let stored = self.storeBlocking(step, produced, digests: digests)
                produced.keyLock?.release()
                let blobs = produced.fromCache || produced.alreadyStored ? produced.blobs : stored.blobs
                let files = Result {
                    try zip(step.outputs, infos).map { output, info in
                        try self.writer.commitBlocking(produced.images[output.index], sha256: digests[output.index],
                                                       to: output.path, step: step.id, info: info,
                                                       placingFrom: blobs?[output.index], linking: self.options.linkOutputs)
                    }
                }
                return (files, stored.failure)
            }
        } catch {
            written = .failure(error)
        }
        if let diskFull = outOfSpace(step, produced, written: written, storeFailure: storeFailure, start: start) {
            return diskFull
        }
        do {
            let success = try describeOutputs(step, produced, written: try written.get()) { Self.milliseconds(since: start) }
            return StepRun(id: step.id, outcome: .succeeded(success), durationMS: Self.milliseconds(since: start))
        } catch {
            return failure(error, step: step, start: start)
        }
    }

    /// `store` on the calling thread (already off the cooperative pool). A full disk is tried
    /// again a few times (a paid answer is worth waiting for: another process may free space);
    /// returns the stored images' blobs (nil when nothing was stored) or the failure, after logging it.
    @discardableResult
    func storeBlocking(_ step: PlannedStep, _ produced: Produced, digests: [String]) -> (blobs: [String]?, failure: (any Error)?) {
        guard let cache, !produced.fromCache, !produced.alreadyStored else { return (nil, nil) }
        var attempt = 0
        while true {
            do {
                let stored = try cache.store(key: step.cacheKey, step: step, images: produced.images, digests: digests,
                                             usage: produced.usage, requestID: produced.requestID,
                                             costUSD: step.kind.usesProvider ? cost(of: step, usage: produced.usage).usd : nil,
                                             resolved: produced.resolved, layout: cacheLayout())
                cache.remote?.upload(step.cacheKey)
                return (stored.blobs, nil)
            } catch {
                attempt += 1
                if AtomicFile.isOutOfSpace(error) && step.kind.usesProvider && attempt < 3 {
                    usleep(500_000)
                    continue
                }
                logger.error("could not store a result in the cache",
                             metadata: ["step": "\(step.id)", "error": "\(error)"])
                return (nil, error)
            }
        }
    }

    /// Stores a provider's answer in the cache, off the cooperative pool where cancellation cannot
    /// cut it short; a failure to store is logged, never fatal.
    func store(_ step: PlannedStep, _ produced: Produced) async {
        guard cache != nil, !produced.fromCache, !produced.alreadyStored else { return }
        _ = try? await BlockingIO.run { self.storeBlocking(step, produced, digests: produced.sha256s) }
    }

    /// The message leaves out the step id: every renderer prints it beside the message.
    func failure(_ error: any Error, step: PlannedStep, start: ContinuousClock.Instant) -> StepRun {
        let ms = Self.milliseconds(since: start)
        func message(_ text: String) -> String {
            for prefix in ["\(step.id): ", "step \(step.id): "] where text.hasPrefix(prefix) {
                return String(text.dropFirst(prefix.count))
            }
            return text
        }
        switch error {
        case is CancellationError:
            return StepRun(id: step.id, outcome: .cancelled, durationMS: ms)
        case let error as EngineError:
            return StepRun(id: step.id, outcome: .failed(message(error.description), stopsRun: false), durationMS: ms)
        case let error as FileError:
            return StepRun(id: step.id, outcome: .failed(message(error.description), stopsRun: false), durationMS: ms)
        case let error as ProviderError where !Task.isCancelled:
            return StepRun(id: step.id, outcome: .failed(message(error.description), stopsRun: error.stopsRun), durationMS: ms)
        default:
            if Task.isCancelled { return StepRun(id: step.id, outcome: .cancelled, durationMS: ms) }
            return StepRun(id: step.id, outcome: .failed(message("\(error)"), stopsRun: false), durationMS: ms)
        }
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int {
        let d = ContinuousClock.now - start
        return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// The step's images: from the cache, else from the provider or the toolkit.
    ///
    /// A paid step that misses takes the key's lock, then looks again: another build sharing the
    /// cache may have paid for the same key meanwhile. The lock travels with the answer until it
    /// is stored.
    func produce(_ step: PlannedStep, upstream: [StepID: Data], forced: Bool = false) async throws -> Produced {
        if !forced, let hit = try await cachedResult(step) { return hit }
        let produced: Produced
        switch step.kind {
        case .generate, .edit:
            guard let name = step.provider, let provider = providers[name] else {
                throw EngineError.unknownProvider(step.provider ?? "(none)", step: step.id, known: Array(providers.keys))
            }
            if let batch = options.heldKeys[step.cacheKey] {
                throw EngineError(.inBatch, "\(step.id): its request is in batch \(batch), which has not finished; it is not "
                    + "asked for again (that would pay twice): collect it with `kiln build --batch`, or stop that batch with "
                    + "`kiln batch cancel \(batch)`")
            }
            if options.cacheOnly { throw notCached(step) }
            let request = try await makeRequest(step, upstream: upstream)
            let keyLock = try await cache?.lock(step.cacheKey)
            do {
                // Another build sharing this cache may have stored it meanwhile; the remote cache
                // was asked a moment ago.
                if !forced, let hit = try await cachedResult(step, remote: false) {
                    keyLock?.release()
                    return hit
                }
                try Task.checkCancellation()
                let response = try await provider.run(request)
                produced = Produced(images: response.images, digests: response.digests, usage: response.usage,
                                    requestID: response.requestID,
                                    resolved: response.resolved, fromCache: false, keyLock: keyLock)
            } catch {
                keyLock?.release()
                throw error
            }
        case .derive:
            guard let operations = step.derive, let input = step.inputs.first else {
                throw EngineError.invalidPlan("\(step.id): a derive step needs one input and its operations")
            }
            let image = try StepRequest.loadInput(input, step: step, upstream: upstream)
            let data = try await toolkit.derive(image.data, operations)
            produced = Produced(images: [data], usage: nil, requestID: nil, resolved: [:], fromCache: false,
                                deriveInput: image.data)
        }
        return produced
    }

    /// The cached answer for the step's key, if the cache holds an intact one. A key with no
    /// entry is answered by one `stat` here; only an entry is read (and verified) off the
    /// cooperative pool — a first build is all misses, and each trip costs a thread hand-off.
    /// With a remote cache, a local miss is looked up there and, when found, copied in first.
    func cachedResult(_ step: PlannedStep, remote: Bool = true) async throws -> Produced? {
        guard let cache, remote ? try await hasAnswer(step.cacheKey, in: cache) : cache.hasEntry(step.cacheKey) else { return nil }
        var found = try await BlockingIO.run({ try cache.lookup(step.cacheKey) })
        // A local entry that turned out damaged (and was removed): the remote cache may have it whole.
        if found == nil, remote, let tier = cache.remote, try await tier.fetch(step.cacheKey) {
            found = try await BlockingIO.run({ try cache.lookup(step.cacheKey) })
        }
        guard let hit = found else { return nil }
        return Produced(images: hit.images, digests: hit.record.images.map(\.sha256), usage: hit.record.usage?.usage, requestID: hit.record.requestID,
                        resolved: hit.record.resolved, fromCache: true, adopted: hit.record.adopted != nil, blobs: hit.blobs)
    }

    /// Whether the local cache has `key`'s answer, after copying it from the remote cache if only
    /// that one has it.
    func hasAnswer(_ key: String, in cache: ResultCache) async throws -> Bool {
        if cache.hasEntry(key) { return true }
        guard let remote = cache.remote else { return false }
        return try await remote.fetch(key)
    }

    /// `--cache-only` and the answer is in no cache.
    func notCached(_ step: PlannedStep) -> EngineError {
        EngineError(.notCached, "\(step.id): \(EngineError.notCachedMarker), and --cache-only makes no provider "
            + "call (build it first, e.g. in its shard: kiln build --shard I/N)")
    }

    /// A generate or edit request; for an edit, reads the inputs and runs the toolkit's
    /// pre-flight checks before anything is paid.
    func makeRequest(_ step: PlannedStep, upstream: [StepID: Data]) async throws -> ImageRequest {
        try await StepRequest.make(step, upstream: upstream, toolkit: toolkit)
    }
}
