import Foundation
import KilnCore
import KilnCache

/// `candidates: N` in one request: the candidates of a step that this build must pay for are
/// asked for together, with `n`, where the provider and model allow it (`maxImagesPerRequest`).
/// Each image is still stored under its own candidate's key, so adding candidates, picking and
/// re-rolling work per candidate as before; the request's usage and cost are split evenly.
///
/// The lowest-numbered candidate that needs a call leads: it makes the request, stores every
/// other candidate's image in the cache at once (a paid answer is never held only in memory) and
/// hands it to that candidate's step, which the scheduler starts after the leader, so it reports,
/// checks and writes its own image. The leader is reserved the whole request's estimate against
/// `--max-cost`; the others nothing.
extension BuildEngine {
    /// The candidates that follow each leader into its request, in candidate order, by the
    /// leader's id. Only steps that run, need a call (forced, or no cache entry) and would send
    /// the same request are grouped, at most the model's `n` per request.
    func candidateBatches(_ steps: [PlannedStep], forced: Set<StepID>) -> [StepID: [PlannedStep]] {
        var groups = [StepID: [PlannedStep]]()
        for step in steps where step.kind == .generate && step.candidate != nil {
            guard forced.contains(step.id) || !(cache?.hasEntry(step.cacheKey) ?? false) else { continue }
            groups[step.id.candidateOf?.step ?? step.id, default: []].append(step)
        }
        var batches = [StepID: [PlannedStep]]()
        for (_, members) in groups where members.count > 1 {
            let sorted = members.sorted { ($0.candidate ?? 0) < ($1.candidate ?? 0) }
            guard let first = sorted.first, let name = first.provider, let provider = providers[name],
                  let model = first.model else { continue }
            let limit = provider.maxImagesPerRequest(model: model)
            guard limit > 1 else { continue }
            let alike = sorted.filter {
                $0.provider == first.provider && $0.model == model && $0.prompt == first.prompt && $0.parameters == first.parameters
            }
            for start in stride(from: 0, to: alike.count, by: limit) {
                let chunk = alike[start..<min(start + limit, alike.count)]
                if chunk.count > 1, let leader = chunk.first { batches[leader.id] = Array(chunk.dropFirst()) }
            }
        }
        return batches
    }

    /// The leader's phase one: its own image (from the cache, or from the request) and the images
    /// made for `siblings`, already stored, by the sibling's id. A sibling whose key another
    /// build holds, or that the cache has by now, is left out: it finds its image itself.
    func produceCandidates(_ step: PlannedStep, siblings: [PlannedStep], forced: Set<StepID>) async throws
        -> (own: Produced, handoffs: [StepID: Produced]) {
        guard let name = step.provider, let provider = providers[name] else {
            throw EngineError.unknownProvider(step.provider ?? "(none)", step: step.id, known: Array(providers.keys))
        }
        if options.cacheOnly {
            return (try await cachedResult(step) ?? { throw notCached(step) }(), [:])
        }
        var request = try await makeRequest(step, upstream: [:])
        let ownLock = try await cache?.lock(step.cacheKey)
        var locks = [StepID: CacheKeyLock]()
        func releaseAll() {
            ownLock?.release()
            for lock in locks.values { lock.release() }
        }
        var own: Produced?
        var making = [PlannedStep]()
        do {
            if !forced.contains(step.id), let hit = try await cachedResult(step) {
                own = hit
            } else {
                making.append(step)
            }
            for sibling in siblings {
                if let cache {
                    guard let lock = try cache.tryLock(sibling.cacheKey) else { continue }
                    let answered = forced.contains(sibling.id) ? false : try await hasAnswer(sibling.cacheKey, in: cache)
                    guard forced.contains(sibling.id) || !answered else {
                        lock.release()
                        continue
                    }
                    locks[sibling.id] = lock
                }
                making.append(sibling)
            }
            if own != nil { ownLock?.release() }
            guard !making.isEmpty else { return (own!, [:]) }
            try Task.checkCancellation()
            request.parameters.n = making.count
            request.candidates = making.map(Self.candidate)
            let response = try await provider.run(request)
            return try await distribute(response, to: making, leader: step, own: own, ownLock: ownLock, locks: locks)
        } catch {
            if own == nil { ownLock?.release() }
            for lock in locks.values { lock.release() }
            throw error
        }
    }

    /// Gives each candidate its image from one answer: the leader's travels on with its key lock
    /// (stored when it persists); every other one is stored now and its lock released. Fewer
    /// images than asked for leaves the rest to make their own requests.
    private func distribute(_ response: ProviderResponse, to making: [PlannedStep], leader: PlannedStep,
                            own: Produced?, ownLock: CacheKeyLock?, locks: [StepID: CacheKeyLock]) async throws
        -> (own: Produced, handoffs: [StepID: Produced]) {
        let delivered = min(response.images.count, making.count)
        var ownResult = own
        var handoffs = [StepID: Produced]()
        for (i, member) in making.enumerated() {
            guard i < delivered else {
                locks[member.id]?.release()
                continue
            }
            var produced = Produced(images: [response.images[i]], digests: response.digests.flatMap { $0.indices.contains(i) ? [$0[i]] : nil },
                                    usage: response.usage?.share(i, of: delivered), requestID: response.requestID,
                                    resolved: response.resolved, fromCache: false)
            if member.id == leader.id {
                produced.keyLock = ownLock
                ownResult = produced
                continue
            }
            let digests = produced.sha256s
            let toStore = produced
            let stored = try await BlockingIO.run { self.storeBlocking(member, toStore, digests: digests) }
            locks[member.id]?.release()
            produced.digests = digests
            produced.alreadyStored = stored.failure == nil
            produced.blobs = stored.blobs
            produced.prepaid = true
            handoffs[member.id] = produced
        }
        guard let ownResult else {
            throw EngineError.invalidPlan("\(leader.id): the answer for its candidates carried no image for it")
        }
        if delivered < making.count {
            logger.warning("an answer for several candidates carried fewer images than asked for",
                           metadata: ["step": "\(leader.id)", "asked": "\(making.count)", "got": "\(delivered)"])
        }
        return (ownResult, handoffs)
    }

    /// What the request says of the candidate a step is (for the offline renderer's labels).
    static func candidate(_ step: PlannedStep) -> ImageRequest.Candidate {
        let id = step.id.candidateOf != nil ? step.id : step.aliases.first { $0.candidateOf != nil } ?? step.id
        return ImageRequest.Candidate(id: id, number: step.candidate ?? 1, reroll: step.reroll)
    }
}
