import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A server a test starts on loopback and stops: the process, its port, and a temp folder for its
/// config and logs (its output goes to `output.log` there, not to a pipe nobody reads).
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    public let folder: URL
    private let name: String
    private let stopSignal: Int32

    /// Starts `arguments` (through /usr/bin/env) and waits until `port` accepts connections; throws,
    /// with the server's output, if it exits or is not listening within `timeout` seconds.
    ///
    /// `stopSignal`: how `stop()` ends it. SIGKILL for the Python servers: a process started from a
    /// dispatch thread inherits that thread's blocked signals, so Python never sees a SIGTERM; nginx
    /// sets its own signal mask and shuts down cleanly on SIGTERM (a SIGKILL would orphan its worker).
    public static func start(_ name: String, _ arguments: [String], port: Int, folder: URL,
                      environment: [String: String] = [:], stopSignal: Int32 = SIGKILL,
                      timeout: Double = 60) async throws -> ServerProcess {
        try await Blocking.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.currentDirectoryURL = folder
            let log = folder.appendingPathComponent("output.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            process.standardOutput = output
            process.standardError = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            try? output.close()
            let server = ServerProcess(process: process, port: port, folder: folder, name: name, stopSignal: stopSignal)
            do {
                try server.waitUntilListening(timeout: timeout)
            } catch {
                server.stop()
                throw error
            }
            return server
        }
    }

    private init(process: Process, port: Int, folder: URL, name: String, stopSignal: Int32) {
        self.process = process
        self.stopSignal = stopSignal
        self.port = port
        self.folder = folder
        self.name = name
    }

    /// What the server printed so far.
    public var output: String {
        (try? String(contentsOf: folder.appendingPathComponent("output.log"), encoding: .utf8)) ?? ""
    }

    /// The stop signal, up to 5 s to exit, then SIGKILL; the temp folder is removed.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, stopSignal)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `body`, then stops the server (off the cooperative pool), whether `body` throws or not.
    public func stopping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            try await Blocking.run { self.stop() }
            return result
        } catch {
            try? await Blocking.run { self.stop() }
            throw error
        }
    }

    private func waitUntilListening(timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else {
                throw ServerError("\(name) exited (status \(process.terminationStatus)) before it listened on port \(port):\n\(output)")
            }
            if LoopbackPort.accepts(port) { return }
            usleep(50_000)
        }
        throw ServerError("\(name) was not listening on port \(port) after \(Int(timeout)) s:\n\(output)")
    }
}

/// A test server's failure to start, with what it printed.
public struct ServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Ports on 127.0.0.1.
public enum LoopbackPort {
    /// A port nothing listens on now: bound to port 0 and released, so the kernel chose it.
    public static func free() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                _ = bind(fd, generic, length)
                _ = getsockname(fd, generic, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether a TCP connect to the port succeeds.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Blocking work (starting processes, waiting for ports) on a dispatch thread, so it never holds
/// one of the cooperative pool's two threads while the code under test needs it.
public enum Blocking {
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs a command to the end: its status, and its output and error output together.
    public static func command(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return (-1, "could not run \(arguments.joined(separator: " "))") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A server a whole suite shares: started before its first test, stopped after its last.
public protocol ScopedServer: Sendable {
    var process: ServerProcess { get }
    static func start() async throws -> Self
    /// Where the suite's tests find it (`current`).
    static var local: TaskLocal<Self?> { get }
    /// Throws what to install when the server is missing (reached only when the suite is enabled,
    /// i.e. the server is installed or `KILN_REQUIRE_SERVERS=1`).
    static func checkInstalled() throws
}

/// The suite trait that runs a `ScopedServer` around a suite.
public struct ServerScope<Server: ScopedServer>: SuiteTrait, TestScoping {
    public func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        try Server.checkInstalled()
        let server = try await Server.start()
        try await server.process.stopping { try await Server.local.withValue(server) { try await function() } }
    }
}
