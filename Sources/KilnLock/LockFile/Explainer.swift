import KilnCore

/// Says why a step must run, from the current plan and the lockfile of the last build: the
/// reasons `kiln plan --explain`, `kiln status` and `kiln build --locked` print.
public enum Explainer {
    /// Why `step` must run, or that it need not.
    ///
    /// - Parameters:
    ///   - step: the step as planned now.
    ///   - fingerprint: `StepFingerprint(step:upstreamKeys:)` of that step.
    ///   - previous: the lockfile's entry for the step id, or nil if it has none.
    ///   - cacheHasKey: whether the cache holds an entry for `step.cacheKey`.
    ///   - outputsMatch: whether the step has outputs and every one exists with the digest the
    ///     lockfile records (pass false for a step without outputs: nothing on disk proves it).
    /// - Returns: `.upToDate` when the key is unchanged and the outputs match; `.cached` when the
    ///   cache holds the current key; otherwise `.newStep`, `.cacheMissing` (key unchanged),
    ///   `.saltChanged` (only the salt differs) or `.changed` with each differing field.
    public static func explain(step: PlannedStep, fingerprint: StepFingerprint, previous: LockFile.Step?,
                               cacheHasKey: Bool, outputsMatch: Bool) -> StaleReason {
        if let previous, previous.cacheKey == step.cacheKey, outputsMatch { return .upToDate }
        if cacheHasKey { return .cached }
        guard let previous else { return .newStep }
        if previous.cacheKey == step.cacheKey { return .cacheMissing }
        let changes = self.changes(from: previous.fingerprint, to: fingerprint)
        if changes.count == 1, changes[0].field == "salt" {
            return .saltChanged(old: changes[0].old, new: changes[0].new)
        }
        return .changed(changes)
    }

    /// The fields whose values differ, in the fingerprint's order, then fields only the old one had
    /// (sorted by name).
    public static func changes(from old: [String: String], to new: StepFingerprint) -> [FieldChange] {
        var changes = [FieldChange]()
        var seen = Set<String>()
        for field in new.fields {
            seen.insert(field.name)
            let before = old[field.name]
            if before != field.value { changes.append(FieldChange(field: field.name, old: before, new: field.value)) }
        }
        for (name, value) in old.sorted(by: { $0.key < $1.key }) where !seen.contains(name) {
            changes.append(FieldChange(field: name, old: value, new: nil))
        }
        return changes
    }
}
