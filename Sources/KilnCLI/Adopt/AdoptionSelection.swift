import KilnCore
import KilnPlanner

/// Which steps `kiln adopt TARGET…` records: the generate and edit steps the targets name that
/// write files. Those are the paid ones; a derive is local work `kiln build` redoes for free from
/// its input, and an intermediate step has no file that could stand for its answer.
struct AdoptionSelection {
    /// The steps to adopt, in plan order, each once.
    var steps: [PlannedStep]
    /// Why a target cannot be adopted (it names no step, or nothing adoptable): nothing is recorded.
    var problems: [String]
    /// Intermediate paid steps the targets name that are left as they are, for a note.
    var intermediates: [PlannedStep]

    /// - Parameter plan: every step of the manifests (not only the targets'), so a target is
    ///   matched exactly as `kiln build --force` matches it.
    init(targets: [String], plan: Plan) {
        var chosen = Set<StepID>(), problems = [String](), intermediates = Set<StepID>()
        let index = plan.index()
        for target in targets {
            let ids: Set<StepID>
            do {
                ids = try Planner.steps(matching: [target], in: plan)
            } catch {
                problems += error.diagnostics.map(\.message)
                continue
            }
            let named = plan.steps.filter { ids.contains($0.id) }
            let adoptable = named.filter(Self.isAdoptable)
            intermediates.formUnion(named.filter { $0.kind.usesProvider && $0.outputs.isEmpty }.map(\.id))
            if adoptable.isEmpty { problems.append(Self.nothingAdoptable(target, named: named, plan: plan, index: index)) }
            chosen.formUnion(adoptable.map(\.id))
        }
        steps = plan.steps.filter { chosen.contains($0.id) }
        self.problems = problems
        self.intermediates = plan.steps.filter { intermediates.contains($0.id) }
    }

    /// A generate or edit step with at least one output file.
    static func isAdoptable(_ step: PlannedStep) -> Bool {
        step.kind.usesProvider && !step.outputs.isEmpty
    }

    /// Why `target` adopts nothing, and what to name instead.
    static func nothingAdoptable(_ target: String, named: [PlannedStep], plan: Plan, index: [StepID: Int]) -> String {
        let derives = named.filter { $0.kind == .derive }
        if derives.count == named.count {
            // The paid steps they are made from, found through their inputs.
            var sources = [StepID](), seen = Set<StepID>()
            var stack = derives.flatMap(\.dependencies)
            while let id = stack.popLast() {
                guard let i = index[id], seen.insert(plan.steps[i].id).inserted else { continue }
                let step = plan.steps[i]
                if isAdoptable(step) { sources.append(step.id) } else { stack += step.dependencies }
            }
            let instead = sources.isEmpty ? "" : " (name \(sources.sorted().map(\.description).joined(separator: ", ")) instead)"
            return "'\(target)' names only derive steps (\(list(derives))): they are local work `kiln build` redoes "
                + "for free from their input; adopt records the generate or edit step they are made from\(instead)"
        }
        return "'\(target)' names no step that writes a file (\(list(named))): an intermediate generate or edit "
            + "has no file that could stand for its answer; name the step whose output you have"
    }

    private static func list(_ steps: [PlannedStep]) -> String {
        let ids = steps.map(\.id.description)
        return ids.prefix(3).joined(separator: ", ") + (ids.count > 3 ? ", … (\(ids.count) steps)" : "")
    }
}
