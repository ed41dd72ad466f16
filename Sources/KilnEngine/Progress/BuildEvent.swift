import KilnCore

/// One thing that happened during a build, for progress output. `Codable` as one JSON object per
/// event (JSON Lines): `{"event":"finished","step":"…",…}`; absent fields are omitted.
public struct BuildEvent: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case buildStarted = "build_started", started, waitingForSlot = "waiting_for_slot", finished, cached
        case failed, skipped, summary
        /// Something the user should know that is not a failure (`error` says what; `step` when
        /// it concerns one), e.g. an output deleted by hand and restored from the cache.
        case warning
    }

    public var event: Kind
    public var step: StepID?
    public var stepKind: StepKind?
    public var provider: String?
    /// `waiting_for_slot`: the full pool.
    public var pool: String?
    /// `finished`/`cached`: files written, relative to the output directory.
    public var outputs: [String]?
    public var durationMS: Int?
    public var costUSD: Double?
    public var error: String?
    /// `skipped`: the failed ancestor.
    public var because: StepID?
    /// `build_started`: steps in the plan; `estimated_cost_usd` with it.
    public var total: Int?
    /// `build_started`: steps whose outputs are already current (they do not run).
    public var upToDate: Int?
    public var estimatedCostUSD: Double?
    public var summary: BuildSummary?

    public init(_ event: Kind, step: StepID? = nil) {
        self.event = event
        self.step = step
    }

    enum CodingKeys: String, CodingKey {
        case event, step, stepKind = "kind", provider, pool, outputs, durationMS = "duration_ms"
        case costUSD = "cost_usd", error, because, total, upToDate = "up_to_date"
        case estimatedCostUSD = "estimated_cost_usd", summary
    }

    public static func buildStarted(total: Int, upToDate: Int = 0, estimatedCostUSD: Double) -> BuildEvent {
        var e = BuildEvent(.buildStarted)
        e.total = total
        e.upToDate = upToDate
        e.estimatedCostUSD = estimatedCostUSD
        return e
    }

    public static func started(_ step: PlannedStep) -> BuildEvent {
        var e = BuildEvent(.started, step: step.id)
        e.stepKind = step.kind
        e.provider = step.provider
        return e
    }

    public static func waiting(_ step: StepID, pool: String) -> BuildEvent {
        var e = BuildEvent(.waitingForSlot, step: step)
        e.pool = pool
        return e
    }

    public static func done(_ step: StepID, cached: Bool, outputs: [String], durationMS: Int,
                            costUSD: Double) -> BuildEvent {
        var e = BuildEvent(cached ? .cached : .finished, step: step)
        e.outputs = outputs
        e.durationMS = durationMS
        e.costUSD = costUSD
        return e
    }

    public static func failed(_ step: StepID, error: String, durationMS: Int?) -> BuildEvent {
        var e = BuildEvent(.failed, step: step)
        e.error = error
        e.durationMS = durationMS
        return e
    }

    public static func skipped(_ step: StepID, because: StepID?, reason: String) -> BuildEvent {
        var e = BuildEvent(.skipped, step: step)
        e.because = because
        e.error = reason
        return e
    }

    public static func warning(_ step: StepID?, _ message: String) -> BuildEvent {
        var e = BuildEvent(.warning, step: step)
        e.error = message
        return e
    }

    public static func summary(_ summary: BuildSummary) -> BuildEvent {
        var e = BuildEvent(.summary)
        e.summary = summary
        return e
    }
}

/// Receives build events as they happen, in order, from the engine's run loop. Keep it quick:
/// the loop waits for it.
public protocol BuildProgressSink: Sendable {
    func handle(_ event: BuildEvent)
}

/// A sink that drops every event.
public struct SilentProgress: BuildProgressSink {
    public init() {}
    public func handle(_ event: BuildEvent) {}
}
