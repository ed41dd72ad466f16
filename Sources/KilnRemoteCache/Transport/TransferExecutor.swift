import Dispatch

/// Where a remote transfer's tasks run: threads of their own (a concurrent dispatch queue), not
/// Swift's cooperative pool.
///
/// AsyncHTTPClient reads a response body only as fast as the task reading it asks for more (one
/// chunk buffered, then the socket waits), and its idle-read timer runs on the event loop whatever
/// the reason for the silence. On the cooperative pool — as many threads as cores — a process whose
/// other tasks held every thread for a while (a blocking call, a long computation) left a download
/// unread long enough for that timer to fire and blame the store ("no byte moved for 15 s"): in a
/// build, a remote hit lost and its step paid for again. On these threads the reading task runs as
/// soon as the store has sent something, so the timer measures the store.
enum TransferThreads {
    /// Runs `body`, and every child task it makes, on the transfer threads (where the system has
    /// task executors: Linux, macOS 15; elsewhere on the cooperative pool).
    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if #available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *) {
            return try await withTaskExecutorPreference(TransferExecutor.shared, operation: body)
        }
        return try await body()
    }
}

/// The executor behind `TransferThreads`: each job runs on a concurrent dispatch queue, whose
/// threads are not the cooperative pool's.
@available(macOS 15, iOS 18, tvOS 18, watchOS 11, visionOS 2, *)
final class TransferExecutor: TaskExecutor {
    static let shared = TransferExecutor()

    private let queue = DispatchQueue(label: "kiln.remote-cache.transfers", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
