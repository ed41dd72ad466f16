import KilnCore

/// Stands in for every provider under `kiln build --locked`, which must never make a call: the
/// check before the build found each paid step in the cache or on disk. If a cache entry vanished
/// in between, the step fails with this error and the run stops — nothing is paid. `kiln adopt`
/// places what it just stored with these too, so no call is possible there either.
struct LockedProvider: ImageProvider {
    let name: String

    func run(_ request: ImageRequest) async throws -> ProviderResponse {
        throw ProviderError(.authentication,
            "\(request.stepID): kiln build --locked never calls a provider, and this step's answer is no longer in the cache; run `kiln build` with a key to rebuild it, then commit kiln.lock and outputs/",
            stopsRun: true)
    }

    /// One stand-in per provider name the plan uses.
    static func standIns(for plan: Plan) -> [String: any ImageProvider] {
        var providers = [String: any ImageProvider]()
        for name in Set(plan.steps.compactMap(\.provider)) { providers[name] = LockedProvider(name: name) }
        return providers
    }
}
