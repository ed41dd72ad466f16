import Foundation

/// The clocks, sleep and randomness the client uses, injectable so tests run fast and deterministic.
public struct OpenAIRuntime: Sendable {
    /// Sleeps for a duration; throws `CancellationError` when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// Monotonic seconds, for rate-limit windows.
    public var monotonicSeconds: @Sendable () -> Double
    /// Wall-clock time, for `retry-after` HTTP dates.
    public var now: @Sendable () -> Date
    /// A value in 0..<1, for backoff jitter.
    public var random: @Sendable () -> Double

    public init(sleep: @escaping @Sendable (Duration) async throws -> Void,
                monotonicSeconds: @escaping @Sendable () -> Double,
                now: @escaping @Sendable () -> Date,
                random: @escaping @Sendable () -> Double) {
        self.sleep = sleep
        self.monotonicSeconds = monotonicSeconds
        self.now = now
        self.random = random
    }

    /// Real time and real randomness.
    public static let live: OpenAIRuntime = {
        let origin = ContinuousClock.now
        return OpenAIRuntime(
            sleep: { try await Task.sleep(for: $0) },
            monotonicSeconds: {
                let elapsed = ContinuousClock.now - origin
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            },
            now: { Date() },
            random: { Double.random(in: 0..<1) })
    }()
}

extension Duration {
    /// A duration from fractional seconds (negative values become zero).
    static func fromSeconds(_ seconds: Double) -> Duration {
        .milliseconds(Int64((max(0, seconds) * 1000).rounded()))
    }

    /// Fractional seconds.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
