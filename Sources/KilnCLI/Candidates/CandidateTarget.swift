import KilnCore
import KilnManifest
import KilnPlanner

/// The one generate step with candidates that a `kiln pick` or `kiln reroll` target names, matched
/// as build targets are (`icons/app`, `app@blue`, `icons/app@blue/main`, a candidate's id `…/main~2`).
/// Unlike a build target it must name exactly one such step: a pick applies to one set of images.
struct CandidateTarget {
    let id: StepID
    let set: CandidateSet

    /// The step `target` names, or what is wrong, as a message for the person.
    static func resolve(_ target: String, in plan: Plan) -> Result<CandidateTarget, CandidateProblem> {
        let matched = Planner.ids(matching: target, in: plan)
        guard !matched.isEmpty else { return .failure(unknown(target, in: plan)) }
        let owners = Set(matched.map { $0.candidateOf?.step ?? $0 }).filter { plan.candidates[$0] != nil }.sorted()
        guard let id = owners.first, let set = plan.candidates[id] else {
            let some = plan.candidates.keys.sorted().prefix(3).map(\.description)
            let known = some.isEmpty ? "no step has candidates yet"
                : "steps with candidates: " + some.joined(separator: ", ") + (plan.candidates.count > 3 ? ", …" : "")
            return .failure(CandidateProblem("'\(target)' has no candidates: add `candidates: N` (2–10) to its generate step (\(known))"))
        }
        guard owners.count == 1 else {
            let listed = owners.prefix(4).map(\.description).joined(separator: ", ") + (owners.count > 4 ? ", …" : "")
            return .failure(CandidateProblem("'\(target)' names \(owners.count) steps with candidates (\(listed)): name one of them"))
        }
        return .success(CandidateTarget(id: id, set: set))
    }

    /// A candidate number as typed (`2`), checked against the step's count.
    func number(_ text: String, option: String) -> Result<Int, CandidateProblem> {
        let range = "1–\(set.count)"
        guard let number = Int(text) else {
            return .failure(CandidateProblem("\(option) must be a candidate number \(range), not '\(text)'"))
        }
        guard (1...set.count).contains(number) else {
            return .failure(CandidateProblem("\(id) has \(set.count) candidates: \(option) must be \(range), not \(number)"))
        }
        return .success(number)
    }

    /// No step is named `target`: the closest asset, variant or step with candidates, when one is near.
    private static func unknown(_ target: String, in plan: Plan) -> CandidateProblem {
        var names = Set<String>()
        for step in plan.steps {
            for id in [step.id] + step.aliases { names.formUnion([id.pipeline + "/" + id.asset, id.asset]) }
        }
        for id in plan.candidates.keys { names.formUnion([id.variantPath, id.description, id.asset + (id.variant.map { "@" + $0 } ?? "")]) }
        let hint = Suggestions.closest(to: target, in: names.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
        return CandidateProblem("no asset, variant or step is named '\(target)'\(hint); `kiln status` lists the steps with candidates")
    }
}

/// Why a pick or re-roll was refused: said to the person, and nothing is changed.
struct CandidateProblem: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
