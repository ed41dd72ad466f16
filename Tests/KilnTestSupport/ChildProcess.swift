import Foundation

/// Runs a program to its exit and returns its status and both outputs (read at once, so neither
/// pipe can fill and stall the child).
public enum ChildProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Waits on a dispatch thread, never one of the cooperative pool's (as many as cores): a test
    /// holding one for a child's whole run stands every other test's tasks still meanwhile.
    /// - Parameters:
    ///   - executable: the program; `/usr/bin/env` with the name first in `arguments` finds one on PATH.
    ///   - environment: the child's whole environment (PATH is added when missing); nil inherits ours.
    public static func run(_ executable: URL, _ arguments: [String], in folder: URL? = nil,
                           environment: [String: String]? = nil) async throws -> Result {
        try await Blocking.run { try runBlocking(executable, arguments, in: folder, environment: environment) }
    }

    private static func runBlocking(_ executable: URL, _ arguments: [String], in folder: URL?,
                                    environment: [String: String]?) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let folder { process.currentDirectoryURL = folder }
        if var environment {
            environment["PATH"] = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            process.environment = environment
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let errors = ErrorsReader(err.fileHandleForReading)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.finish()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Reads a pipe to its end on another thread.
    private final class ErrorsReader: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func finish() -> Data {
            done.wait()
            return data
        }
    }
}
