import Synchronization

/// Keeps each label's set of values small: the first `maximum` distinct values of a label are kept
/// as they are, later ones are all counted under `overflow`. Every series Prometheus scrapes costs
/// memory here and in Prometheus, so an unbounded label (a bug passing a request id as a route)
/// must not add one per request.
final class LabelBudget: Sendable {
    static let maximum = 100
    static let overflow = "other"

    private let seen = Mutex<[String: Set<String>]>([:])

    /// `value`, or `overflow` when the label already has `maximum` other values.
    func admit(_ value: String, as label: String) -> String {
        seen.withLock { seen in
            if seen[label, default: []].contains(value) { return value }
            guard seen[label, default: []].count < Self.maximum else { return Self.overflow }
            seen[label, default: []].insert(value)
            return value
        }
    }
}
