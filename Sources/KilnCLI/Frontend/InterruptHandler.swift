import Dispatch
import Foundation

/// Ctrl-C handling for a build: the first SIGINT calls `first`, any later one `second`.
/// Restores the default handling when removed.
final class InterruptHandler {
    private let source: any DispatchSourceSignal

    init(first: @escaping @Sendable () -> Void, second: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let count = Counter()
        source.setEventHandler {
            if count.next() == 1 { first() } else { second() }
        }
        source.resume()
        self.source = source
    }

    func remove() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    private final class Counter: @unchecked Sendable {
        // Only touched on the signal source's handler, which runs serially.
        private var value = 0
        func next() -> Int { value += 1; return value }
    }
}
