import Foundation

/// A fixed set of threads that run blocking libvips calls, so they never occupy the Swift
/// cooperative pool (which has one thread per core; a slow C call parked there starves every
/// network task and timer in the process).
///
/// Sized to the core count by default: libvips work is CPU-bound, so more threads than cores only
/// adds contention and memory (each in-flight image holds its decoded pixels), and fewer leaves
/// cores idle. Jobs run in FIFO order. Shared by imaging and the placeholder provider through
/// `ImagingWorkPool.shared`, so local image work in one process is bounded in one place.
public final class ImagingWorkPool: @unchecked Sendable {
    // @unchecked: `jobs` is only touched while holding `condition`; the threads are never mutated.
    private let condition = NSCondition()
    /// Waiting jobs from `head` on; a taken job's slot is cleared at once, so the closure — and the
    /// image bytes it captured — is freed when the job ends, not when the prefix is next dropped.
    private var jobs: [(@Sendable () -> Void)?] = []
    private var head = 0
    /// The number of threads; at most this many libvips jobs run at once.
    public let width: Int

    /// The process-wide pool, one thread per active core.
    public static let shared = ImagingWorkPool(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// Starts `threads` (at least 1) worker threads. They wait for work for the rest of the process
    /// (and keep the pool alive), so make pools once, not per call.
    public init(threads: Int) {
        width = max(1, threads)
        for index in 0..<width {
            let thread = Thread { self.work() }
            thread.name = "kiln-vips-\(index)"
            thread.stackSize = 8 << 20  // libvips recurses in its pipeline builders; be generous
            thread.start()
        }
    }

    /// Runs `body` on a pool thread and returns its result. Throws `CancellationError` without
    /// running `body` when the task is already cancelled; once started, `body` runs to the end.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            enqueue {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    private func enqueue(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            jobs[head] = nil
            head += 1
            if head > 1024 && head * 2 > jobs.count {  // drop the consumed prefix now and then
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job?()
        }
    }
}
