import Foundation
import KilnCore
import KilnManifest

/// `candidates: N` on a generate step: N steps of their own (`main~1` … `main~N`), each with its
/// own cache key, so each is paid for once and going from 2 to 4 pays for 2. The step itself
/// (`main`) is planned with the key of the candidate in use — the one kiln.lock picks, else the
/// first — so it merges with that candidate: what reads `@main`, and `main`'s output, get it.
///
/// One step per candidate rather than one step with `n: N`: the engine caches one answer per
/// step, and one entry holding N images would make adding a candidate, or keeping one through a
/// re-roll, a new key for all of them. The engine still asks for the candidates it must pay for in
/// one request (`BuildEngine.candidateBatches`) and stores each image under its own key.
extension PlanBuilder {
    /// The candidates a definition asks for, when 2 or more (`candidates: 1` is a plain step).
    static func candidateCount(_ definition: StepDefinition) -> Int? {
        guard definition.kind == .generate, let count = definition.candidates?.value, count >= 2 else { return nil }
        return count
    }

    /// 1…N for a step with candidates; empty for any other.
    static func candidateNumbers(_ definition: StepDefinition) -> Range<Int> {
        1..<((candidateCount(definition) ?? 0) + 1)
    }

    /// Which candidate an instance is: a candidate's own number; for the step itself the one
    /// kiln.lock picks, else 1 (recorded in `candidateSets`, with a pick that is out of range —
    /// the manifest now asks for fewer — left unused). nil for a step without candidates.
    mutating func candidateNumber(_ instance: Instance, id: StepID) -> Int? {
        guard let count = Self.candidateCount(instance.definition) else { return nil }
        if let own = instance.candidate { return own }
        let pick = options.choices.picks[id]
        let usable = pick.map { (1...count).contains($0) } ?? false
        var set = CandidateSet(count: count, chosen: usable ? pick! : 1, picked: usable)
        if !usable { set.ignoredPick = pick }
        candidateSets[id] = set
        return set.chosen
    }

    /// What tells candidate `number` apart, on the step and in its key: the number from 2 on (so
    /// candidate 1 keeps the key the step had before it had candidates) and its re-roll salt.
    func applyCandidate(_ number: Int, of instance: Instance, id: StepID, to step: inout PlannedStep, key: inout CacheKey) {
        let candidateID = instance.candidate == nil ? id.candidate(number) : id
        step.candidate = number
        step.reroll = options.choices.rerolls[candidateID]
        if number > 1 { key.field("candidate", String(number)) }
        key.field("reroll", step.reroll)
    }

    /// Where a candidate is written for review: beside the step's output, in a folder named after
    /// it (`icons/app.png` → `icons/app.candidates/2.png`); for a step without an output,
    /// `PIPELINE/ASSET/STEP.candidates/2.png` (with a matrix, `PIPELINE/ASSET/VARIANT.STEP.candidates/`).
    /// The paths stay the same through picks and re-rolls, so outputs/ never keeps a stale one.
    mutating func candidateOutputs(_ instance: Instance, context: DefinitionContext, id: StepID,
                                   values: TemplateScope) -> [StepOutput]? {
        guard let number = instance.candidate else { return [] }
        let definition = instance.definition
        let stem: String
        if let template = context.output {
            let path = template.render { values[$0] }
            let ext = (path as NSString).pathExtension
            stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
        } else if definition.output != nil {
            return nil   // a template that does not parse: validation reported it
        } else {
            let variant = instance.variant.id.map { "\($0)." } ?? ""
            stem = "\(manifests[instance.manifest].pipeline)/\(instance.asset.name.value)/\(variant)\(definition.name.value)"
        }
        let path = "\(stem).candidates/\(number).\(values.ext ?? ImageFormat.png.fileExtension)"
        let shown = context.outputShownAs.map { "\($0) (candidate \(number))" }
        guard let clean = claim(path, at: definition.location(of: "candidates"), shownAs: shown, id: id) else { return nil }
        return [StepOutput(path: clean, owner: id, index: 0)]
    }
}
