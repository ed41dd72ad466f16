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

        package init(step: StepID, kind: StepKind, reason: StaleReason, damage: [UpToDateCheck.Damage]) {
            self.step = step
            self.kind = kind
            self.reason = reason
            self.damage = damage
        }
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
    /// A step is satisfied when its files match the lockfile, or when its key is the lockfile's and
    /// the cache holds it or it is a derive step (local work, redone without a provider). A step
    /// whose key differs from the lockfile's is stale whatever the cache holds: the manifests no
    /// longer say what the committed outputs are.
    public static func lockedViolations(plan: Plan, lock: LockFile, check: UpToDateCheck,
                                        cacheHasKey: (String) -> Bool) -> [Entry] {
        let keys = plan.upstreamKeys()
        return plan.steps.compactMap { step -> Entry? in
            guard !check.upToDate.contains(step.id) else { return nil }
            let locked = lock.steps[step.id]
            if locked?.cacheKey == step.cacheKey && (step.kind == .derive || cacheHasKey(step.cacheKey)) { return nil }
            let reason = Explainer.explain(step: step, fingerprint: StepFingerprint(step: step, upstreamKeys: keys),
                                           previous: locked, cacheHasKey: false, outputsMatch: false)
            return Entry(step: step.id, kind: step.kind, reason: reason, damage: check.damaged[step.id] ?? [])
        }
    }
}
