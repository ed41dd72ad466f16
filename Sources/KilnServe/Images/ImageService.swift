import Foundation
import KilnCache
import KilnCore
import KilnPlanner
import Logging

/// Answers an `ImageAsk` from the cache, else from the provider: the same key a manifest step
/// gets (`RequestCacheKey`), the key's lock so identical concurrent requests pay once, the budget
/// reserved before the call and settled after, the global gate on calls in flight, and the
/// answer stored the moment it arrives, before anything else can fail.
public struct ImageService: Sendable {
    let provider: any ImageProvider
    let cache: ResultCache
    let prices: PriceTable
    let budget: DailyBudget
    let gate: ProviderGate
    let metrics: any ServeMetricsSink
    let logger: Logger

    /// One image of an answer.
    public struct Image: Sendable {
        public var data: Data
        public var digest: String
        public var format: ImageFormat
        public var width: Int
        public var height: Int
    }

    /// What a request got.
    public struct Outcome: Sendable {
        public var images: [Image]
        public var cached: Bool
        public var costUSD: Double
        public var requestID: String?
        public var usage: Usage?
        public var resolved: [String: String]
    }

    static let stepID = StepID(pipeline: "serve", asset: "api", variant: nil, step: "request")

    func key(for ask: ImageAsk) -> String {
        RequestCacheKey.make(kind: ask.kind, provider: provider.name, model: ask.model, parameters: ask.parameters,
                             prompt: ask.prompt, inputDigests: ask.images.map { Digest.sha256($0.data) },
                             maskDigest: ask.mask.map { Digest.sha256($0.data) })
    }

    func estimate(_ ask: ImageAsk) -> Double {
        guard provider.name != ProviderNames.placeholder else { return 0 }
        return prices.estimate(model: ask.model, parameters: ask.parameters, promptCharacters: ask.prompt.unicodeScalars.count,
                               inputImages: ask.images.count).usd
    }

    /// The answer for `ask` on behalf of `client`. Throws `ServeError` (402 budget, 503 queue full,
    /// 400 moderation, 502 upstream).
    public func answer(_ ask: ImageAsk, client: String, route: String) async throws -> Outcome {
        let key = key(for: ask)
        if let hit = try await lookup(key) {
            metrics.cacheHit(route: route)
            return hit
        }
        metrics.cacheMiss(route: route)
        // The key's lock before the budget: identical requests at once wait here for the first
        // one's answer and find it in the cache, free, instead of each reserving (and perhaps being
        // refused for) an estimate they will never spend.
        let lock = try await cache.lock(key)
        let reservation: DailyBudget.Reservation
        do {
            if let hit = try await lookup(key, remote: false) {
                lock.release()
                return hit
            }
            reservation = try budget.reserve(client, estimate: estimate(ask))
        } catch let DailyBudget.Refusal.over(limit, spent, estimate) {
            lock.release()
            throw ServeError(status: 402, String(format: "Daily budget reached: this request is estimated at $%.4f and "
                + "you have used $%.4f of $%.2f today (UTC); it resets at midnight UTC.", estimate, spent, limit),
                type: "insufficient_quota", code: "budget_exceeded", outcome: "refused:budget")
        } catch {
            lock.release()
            throw error
        }
        do {
            try await gate.acquire()
        } catch {
            budget.settle(reservation, actual: 0)
            lock.release()
            if error is ProviderGate.QueueFull {
                throw ServeError(status: 503, "The server is busy: too many requests are waiting for the image service. Try again shortly.",
                                 type: "server_error", code: "queue_full", retryAfter: 5, outcome: "refused:queue_full")
            }
            throw error
        }
        // The paid part runs in its own task: a client that hangs up (or a shutdown) does not cut
        // short a call that is being paid for, nor the store that keeps its answer.
        let paid = Task { () async throws -> Outcome in
            defer { lock.release() }
            do {
                let outcome = try await callAndStore(ask, key: key, client: client, reservation: reservation)
                await gate.release()
                return outcome
            } catch {
                await gate.release()
                throw error
            }
        }
        return try await paid.value
    }

    /// The provider's answer for `ask`, paid once and stored under `key` (whose lock the caller holds).
    private func callAndStore(_ ask: ImageAsk, key: String, client: String,
                              reservation: DailyBudget.Reservation) async throws -> Outcome {
        var request = ImageRequest(stepID: Self.stepID, kind: ask.kind, model: ask.model, prompt: ask.prompt,
                                   parameters: ask.parameters, images: ask.images, mask: ask.mask)
        request.candidates = []
        let response: ProviderResponse
        do {
            response = try await provider.run(request)
        } catch {
            budget.settle(reservation, actual: 0)
            guard let error = error as? ProviderError else { throw error }
            metrics.upstreamError(class: error.kind.rawValue)
            logger.warning("upstream failure", metadata: ["class": "\(error.kind.rawValue)", "request_id": "\(error.requestID ?? "-")"])
            throw UpstreamErrorMapping.serveError(error)
        }
        let cost = response.usage.map { prices.cost(model: ask.model, usage: $0) } ?? reservation.usd
        let actual = provider.name == ProviderNames.placeholder ? 0 : cost
        budget.settle(reservation, actual: actual)
        metrics.spend(usd: actual, client: client)
        let step = PlannedStep(id: Self.stepID, kind: ask.kind, provider: provider.name, model: ask.model, prompt: ask.prompt,
                               parameters: ask.parameters, cacheKey: key)
        let cache = self.cache
        let stored = try await BlockingIO.run {
            try cache.store(key: key, step: step, images: response.images, digests: response.digests, usage: response.usage,
                            requestID: response.requestID, costUSD: actual, resolved: response.resolved, layout: .blobs)
        }
        cache.remote?.upload(key)
        let images = zip(response.images, stored.record.images).map { Self.describe($0, digest: $1.sha256) }
        return Outcome(images: images, cached: false, costUSD: actual, requestID: response.requestID,
                       usage: response.usage, resolved: response.resolved)
    }

    /// A cached answer: local first, then the remote cache (copied in locally). Entries a build
    /// stored inline get their blobs written, so `/images/{digest}` can serve each image by digest.
    func lookup(_ key: String, remote: Bool = true) async throws -> Outcome? {
        if !cache.hasEntry(key) {
            guard remote, let tier = cache.remote, try await tier.fetch(key) else { return nil }
        }
        let cache = self.cache
        guard let hit = try await BlockingIO.run({ try cache.lookup(key) }) else { return nil }
        if hit.blobs == nil {
            try await BlockingIO.run { try ImageStore(cache: cache).keepBlobs(hit) }
        }
        let images = zip(hit.images, hit.record.images).map { Self.describe($0, digest: $1.sha256) }
        return Outcome(images: images, cached: true, costUSD: 0, requestID: hit.record.requestID,
                       usage: hit.record.usage?.usage, resolved: hit.record.resolved)
    }

    static func describe(_ data: Data, digest: String) -> Image {
        let facts = try? ImageFileCheck.inspect(data).get()
        return Image(data: data, digest: digest, format: facts?.format ?? ImageFormat(sniffing: data) ?? .png,
                     width: facts?.width ?? 0, height: facts?.height ?? 0)
    }
}
