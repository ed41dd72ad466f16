import Foundation
import KilnCore

/// Which steps of a plan need not run because their outputs are already exactly what the plan
/// makes: the step was last built with the same cache key (`BuildBaseline`) and every output
/// file on disk still has the digest recorded then. The make-style "nothing to do" test, done
/// before the build starts; a pure function of the plan and the baseline.
///
/// A step with no output files (an intermediate generate read by an edit) is up to date when its
/// key is unchanged, unless a step that runs needs its image: then it runs too (a cache hit, as
/// a rule). A step that runs reads an up-to-date upstream's image from that step's first output
/// file, so an upstream without one runs instead.
public struct UpToDateCheck: Sendable {
    /// What happened to an output file since it was built.
    public enum Damage: Hashable, Sendable, CustomStringConvertible {
        case missing(String)
        case edited(String)

        public var path: String {
            switch self { case let .missing(p), let .edited(p): p }
        }

        public var description: String {
            switch self {
            case let .missing(path): "\(path) was deleted"
            case let .edited(path): "\(path) was changed by hand"
            }
        }
    }

    /// Steps that need not run.
    public private(set) var upToDate: Set<StepID>
    /// Steps whose key is unchanged but whose output files are gone or edited: they run, and the
    /// cache normally restores the files.
    public private(set) var damaged: [StepID: [Damage]]
    /// The steps `--force` named and everything downstream of them: they skip the cache.
    public private(set) var forced: Set<StepID>

    /// - Parameter force: steps to run again whatever the cache holds (a deliberate re-roll).
    ///   Their dependents run again too: they read the new image under the same cache keys.
    public init(plan: Plan, baseline: BuildBaseline, force: Set<StepID> = []) {
        // The index (10,000 hashed ids) only when `--force` or a step that runs needs it.
        let index = force.isEmpty ? [:] : plan.index()
        func canonical(_ id: StepID) -> StepID { index[id].map { plan.steps[$0].id } ?? id }
        var forced = Set<StepID>()
        var upToDate = Set<StepID>(minimumCapacity: plan.steps.count)
        var damaged = [StepID: [Damage]]()
        for step in plan.steps {   // topological order: dependencies first
            if !force.isEmpty, force.contains(step.id) || step.aliases.contains(where: force.contains)
                || step.dependencies.contains(where: { forced.contains(canonical($0)) }) {
                forced.insert(step.id)
                continue
            }
            guard let record = baseline.records[step.id], record.cacheKey == step.cacheKey else { continue }
            var damage = [Damage]()
            var matches = Self.samePaths(step.outputs, record.outputs)
            for output in step.outputs {
                guard let recorded = record.outputs[output.path] else { continue }
                switch baseline.currentDigest(output.path) {
                case nil: damage.append(.missing(output.path))
                case recorded?: break
                case _?: damage.append(.edited(output.path))
                }
            }
            if !damage.isEmpty {
                damaged[step.id] = damage
                matches = false
            }
            if matches { upToDate.insert(step.id) }
        }
        self.upToDate = upToDate
        self.damaged = damaged
        self.forced = forced
        if upToDate.count < plan.steps.count { settle(plan, index: force.isEmpty ? plan.index() : index) }
    }

    /// Whether `outputs` are the paths `recorded` holds (as sets): without building two sets per
    /// step, as a no-op build of 10,000 steps did.
    static func samePaths(_ outputs: [StepOutput], _ recorded: [String: String]) -> Bool {
        guard outputs.allSatisfy({ recorded[$0.path] != nil }) else { return false }
        // Every path is recorded; the sets are equal when there are as many distinct paths.
        if outputs.count <= 1 { return outputs.count == recorded.count }
        return Set(outputs.map(\.path)).count == recorded.count
    }

    /// No step is up to date (a build without a baseline).
    public init(plan: Plan) {
        self.init(plan: plan, baseline: .none)
    }

    /// Marks `ids` as needing to run (their earlier manifest entries are gone, say), then
    /// re-settles which upstream steps must run for them.
    public mutating func demote(_ ids: some Sequence<StepID>, plan: Plan) {
        upToDate.subtract(ids)
        settle(plan, index: plan.index())
    }

    /// The steps that run, in plan order.
    public func stepsToRun(_ plan: Plan) -> [PlannedStep] {
        upToDate.isEmpty ? plan.steps : plan.steps.filter { !upToDate.contains($0.id) }
    }

    /// Up-to-date steps whose image a running step needs but that have no first output file to
    /// read it from must run as well; walking the plan backwards carries that upstream.
    private mutating func settle(_ plan: Plan, index: [StepID: Int]) {
        for step in plan.steps.reversed() where !upToDate.contains(step.id) {
            for dep in step.dependencies {
                guard let i = index[dep] else { continue }
                let upstream = plan.steps[i]
                if upToDate.contains(upstream.id) && !upstream.outputs.contains(where: { $0.index == 0 }) {
                    upToDate.remove(upstream.id)
                }
            }
        }
    }
}
