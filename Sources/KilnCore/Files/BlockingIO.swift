import Dispatch

/// Runs blocking file work (cache and output writes) on a dispatch queue instead of the
/// cooperative thread pool, so slow disks never hold up the run loop or network tasks.
///
/// A block handed to the queue always runs to the end: cancelling the awaiting task does not cut
/// a temp-file-then-rename write or a cache store short.
package enum BlockingIO {
    private static let queue = DispatchQueue(label: "kiln.engine.io", qos: .utility, attributes: .concurrent)

    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
