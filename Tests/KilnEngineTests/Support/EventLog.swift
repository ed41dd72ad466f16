import Foundation
import KilnCore
import KilnEngine

/// A progress sink that keeps every event and can react to one (open a gate, stop the engine).
final class EventLog: BuildProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [BuildEvent] = []
    private let reaction: @Sendable (BuildEvent) -> Void

    init(reaction: @escaping @Sendable (BuildEvent) -> Void = { _ in }) {
        self.reaction = reaction
    }

    func handle(_ event: BuildEvent) {
        lock.withLock { stored.append(event) }
        reaction(event)
    }

    var events: [BuildEvent] { lock.withLock { stored } }

    /// Index of the first event of `kind` for `step`.
    func position(_ kind: BuildEvent.Kind, _ step: StepID) -> Int? {
        events.firstIndex { $0.event == kind && $0.step == step }
    }
}

/// Lets a sink's reaction reach the engine created after it.
final class EngineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: BuildEngine?
    var engine: BuildEngine? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
