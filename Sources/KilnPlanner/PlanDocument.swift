import KilnCore

/// `kiln plan --json`: the plan as machines read it (stable field names, deterministic order).
public struct PlanDocument: Codable, Sendable {
    public struct Totals: Codable, Sendable, Equatable {
        public var steps: Int
        public var generate: Int
        public var edit: Int
        public var derive: Int
        public var outputs: Int
        public var estimatedInputTokens: Int
        public var estimatedOutputTokens: Int
        /// US dollars, rounded to 6 decimals.
        public var estimatedUSD: Double
    }

    public var version: Int
    public var steps: [PlannedStep]
    public var totals: Totals
    public var warnings: [String]

    public init(_ plan: Plan) {
        version = 1
        steps = plan.steps.map { step in
            var s = step
            if let e = s.estimate { s.estimate = CostEstimate(inputTokens: e.inputTokens, outputTokens: e.outputTokens,
                                                              usd: PlanDocument.round(e.usd)) }
            return s
        }
        totals = Totals(of: plan)
        warnings = plan.warnings.map(\.description)
    }

    static func round(_ usd: Double) -> Double { (usd * 1_000_000).rounded() / 1_000_000 }

    /// Pretty, sorted-key JSON with a trailing newline: the bytes `CanonicalJSON.string(self,
    /// pretty: true)` gives, written by `PrettyJSONWriter` (`JSONEncoder` took three quarters of
    /// `kiln plan --json` on 20,000 steps). A cost that is not finite goes through `JSONEncoder`,
    /// which refuses it as it always did.
    public func json() throws -> String {
        guard totals.estimatedUSD.isFinite, steps.allSatisfy({ $0.estimate?.usd.isFinite ?? true }) else {
            return try CanonicalJSON.string(self, pretty: true) + "\n"
        }
        var w = PrettyJSONWriter(capacity: steps.count * 1200 + 1024)
        w.openObject()
        w.key("steps")
        w.openArray()
        for step in steps {
            w.element()
            w.value(step)
        }
        w.closeArray()
        w.key("totals")
        w.openObject()
        w.member("derive", totals.derive)
        w.member("edit", totals.edit)
        w.member("estimatedInputTokens", totals.estimatedInputTokens)
        w.member("estimatedOutputTokens", totals.estimatedOutputTokens)
        w.key("estimatedUSD")
        w.double(totals.estimatedUSD)
        w.member("generate", totals.generate)
        w.member("outputs", totals.outputs)
        w.member("steps", totals.steps)
        w.closeObject()
        w.member("version", version)
        w.key("warnings")
        w.openArray()
        for warning in warnings {
            w.element()
            w.string(warning)
        }
        w.closeArray()
        w.closeObject()
        w.raw("\n")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

extension PlanDocument.Totals {
    /// The totals of `plan`, counted in one pass without copying its steps (`kiln plan` prints
    /// them under the table).
    init(of plan: Plan) {
        var kinds = [StepKind: Int]()
        var outputs = 0
        for step in plan.steps {
            kinds[step.kind, default: 0] += 1
            outputs += step.outputs.count
        }
        let cost = plan.estimatedCost
        self.init(steps: plan.steps.count, generate: kinds[.generate] ?? 0, edit: kinds[.edit] ?? 0,
                  derive: kinds[.derive] ?? 0, outputs: outputs, estimatedInputTokens: cost.inputTokens,
                  estimatedOutputTokens: cost.outputTokens, estimatedUSD: PlanDocument.round(cost.usd))
    }
}
