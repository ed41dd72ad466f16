/// What `kiln pick` and `kiln reroll` decided, as `kiln.lock` records it and the planner reads it:
/// which candidate a step uses, and the salt of each re-rolled candidate. Lives in KilnCore because
/// the lock writes it and the planner reads it, and neither may import the other.
public struct CandidateChoices: Hashable, Sendable {
    /// The picked candidate (1-based) by the id of the step that has candidates (`p/a@v/main`).
    public var picks: [StepID: Int]
    /// The salt of each re-rolled candidate, by the candidate's own id (`p/a@v/main~2`). A
    /// candidate without one keeps its first key.
    public var rerolls: [StepID: String]

    public init(picks: [StepID: Int] = [:], rerolls: [StepID: String] = [:]) {
        self.picks = picks
        self.rerolls = rerolls
    }

    public var isEmpty: Bool { picks.isEmpty && rerolls.isEmpty }
}

/// The candidates of one planned step: how many, and which one downstream steps and the step's
/// output use.
public struct CandidateSet: Hashable, Sendable {
    public var count: Int
    /// The candidate in use (1-based): the pick, else 1.
    public var chosen: Int
    /// Whether `chosen` was picked with `kiln pick` (false: the first, until a pick is made).
    public var picked: Bool
    /// A pick kiln.lock records that is out of range (the manifest now asks for fewer): not used.
    public var ignoredPick: Int?

    public init(count: Int, chosen: Int, picked: Bool, ignoredPick: Int? = nil) {
        self.count = count
        self.chosen = chosen
        self.picked = picked
        self.ignoredPick = ignoredPick
    }

    /// `picked candidate 2 of 4` or `unpicked (using candidate 1 of 4)`: what plan, status and
    /// pick say about it.
    public var summary: String {
        if picked { return "picked candidate \(chosen) of \(count)" }
        let ignored = ignoredPick.map { "; kiln.lock picks candidate \($0), which no longer exists" } ?? ""
        return "unpicked (using candidate \(chosen) of \(count)\(ignored))"
    }
}

extension StepID {
    /// The separator between a step's name and a candidate's number (`main~2`). Step names may
    /// not hold it, so a candidate id never collides with a step's, and targets still parse it.
    public static let candidateMark: Character = "~"

    /// The id of this step's candidate `number` (1-based): `p/a@v/main~2`.
    public func candidate(_ number: Int) -> StepID {
        StepID(pipeline: pipeline, asset: asset, variant: variant, step: "\(step)\(Self.candidateMark)\(number)")
    }

    /// For a candidate's id, the step it is a candidate of and its number; nil for any other id.
    public var candidateOf: (step: StepID, number: Int)? {
        guard let mark = step.lastIndex(of: Self.candidateMark),
              let number = Int(step[step.index(after: mark)...]), number > 0 else { return nil }
        return (StepID(pipeline: pipeline, asset: asset, variant: variant, step: String(step[..<mark])), number)
    }
}
