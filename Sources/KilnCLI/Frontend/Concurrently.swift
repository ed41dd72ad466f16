import Foundation

/// A value worked out on a thread of its own while the caller does something else, then awaited
/// with `value()`: `kiln build` parses kiln.lock (5 MB for 10,000 steps) while it plans, which
/// does not need it. A plain thread, not the cooperative pool: the caller blocks while it waits.
final class Concurrently<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Value, any Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let outcome = Result(catching: work)
            condition.lock()
            result = outcome
            condition.signal()
            condition.unlock()
        }
        thread.start()
    }

    /// The value, once the work has finished; rethrows what the work threw.
    func value() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}
