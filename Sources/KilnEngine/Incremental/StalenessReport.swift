import KilnCore

/// Each planned step and why it would run — or that it need not: what `kiln plan --explain`,
/// `kiln status` and `kiln build --locked` print. Built from the up-to-date check, the lockfile
/// (the fingerprint of each step as last built) and what the cache holds.
public struct StalenessReport: Sendable {
    public struct Entry: Sendable, Hashable {
        public var step: StepID
        public var kind: StepKind
        public var reason: StaleReason
        /// Output files deleted or edited since they were built (the step restores them).
        public var damage: [UpToDateCheck.Damage]
    }

    /// In plan order.
    public var entries: [Entry]

    /// - Parameter cacheHasKey: whether the cache holds an entry for a key (cheap: no object read).
    public init(plan: Plan, lock: LockFile?, check: UpToDateCheck, cacheHasKey: (String) -> Bool) {
        let keys = plan.upstreamKeys()
        entries = plan.steps.map { step in
            let fingerprint = StepFingerprint(step: step, upstreamKeys: keys)
            let reason = check.forced.contains(step.id)
                ? StaleReason.forced
                : Explainer.explain(step: step, fingerprint: fingerprint, previous: lock?.steps[step.id],
                                    cacheHasKey: cacheHasKey(step.cacheKey),
                                    outputsMatch: check.upToDate.contains(step.id))
            return Entry(step: step.id, kind: step.kind, reason: reason, damage: check.damaged[step.id] ?? [])
        }
    }

    /// Under `kiln build --locked`: the steps that cannot be satisfied without a provider call.
    /// A step is satisfied when its files match the lockfile, or the cache holds its key, or it is
    /// a derive step whose key matches the lockfile (local work, redone without a provider). A
    /// step whose key differs from the lockfile's is stale whatever the cache holds: the manifests
    /// no longer say what the committed outputs are.
    public static func lockedViolations(plan: Plan, lock: LockFile, check: UpToDateCheck,
                                        cacheHasKey: (String) -> Bool) -> [Entry] {
        let report = StalenessReport(plan: plan, lock: lock, check: check) { _ in false }
        let index = plan.index()
        return report.entries.compactMap { entry -> Entry? in
            guard let i = index[entry.step] else { return nil }
            let step = plan.steps[i]
            let locked = lock.steps[step.id]
            switch entry.reason {
            case .upToDate: return nil
            case .cacheMissing where step.kind == .derive || cacheHasKey(step.cacheKey): return nil
            case .cacheMissing, .newStep, .changed, .saltChanged, .forced: return entry
            case .cached: return locked?.cacheKey == step.cacheKey ? nil : entry
            }
        }
    }
}
