import Foundation
import KilnTestSupport

/// Runs the real `kiln` binary (built beside the test bundle) as a person would.
struct KilnProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var repositoryRoot: URL { KilnBinary.repositoryRoot }

    static var binary: URL { KilnBinary.url }

    /// Runs `kiln arguments…` in `directory` with `environment` (OPENAI_API_KEY removed unless given),
    /// waiting on a dispatch thread: a test must never hold one of the cooperative pool's threads
    /// (as many as cores) for a child's whole run, or every other test's tasks stand still meanwhile.
    static func run(_ arguments: [String], in directory: URL,
                    environment: [String: String] = [:]) async throws -> Result {
        try await Blocking.run { try runBlocking(arguments, in: directory, environment: environment) }
    }

    private static func runBlocking(_ arguments: [String], in directory: URL, environment: [String: String]) throws -> Result {
        let process = makeProcess(arguments, in: directory, environment: environment)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a full pipe cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `run`, also sampling the child's peak resident memory (`VmHWM` in /proc, every 20 ms
    /// until it exits; the kernel keeps the high-water mark, so a sample just before exit is exact
    /// to within the last 20 ms). Standard output is discarded.
    static func runMeasuringPeak(_ arguments: [String], in directory: URL,
                                 environment: [String: String] = [:]) async throws -> (status: Int32, peakKiB: Int, stderr: String) {
        try await Blocking.run {
            let process = makeProcess(arguments, in: directory, environment: environment)
            let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-stderr-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: errURL.path, contents: nil)
            defer { try? FileManager.default.removeItem(at: errURL) }
            let err = try FileHandle(forWritingTo: errURL)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            let status = "/proc/\(process.processIdentifier)/status"
            var peak = 0
            while process.isRunning {
                if let text = try? String(contentsOfFile: status, encoding: .utf8),
                   let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                   let kib = Int(line.split(separator: " ").dropFirst().first ?? "") {
                    peak = max(peak, kib)
                }
                usleep(20_000)
            }
            process.waitUntilExit()
            try? err.close()
            let errText = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            return (process.terminationStatus, peak, errText)
        }
    }

    /// Starts `kiln arguments…` without waiting (to stop or kill it); its output is discarded.
    static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Process {
        let process = makeProcess(arguments, in: directory, environment: environment)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    private static func makeProcess(_ arguments: [String], in directory: URL, environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["OPENAI_API_KEY"] = nil
        for name in ["KILN_REMOTE_CACHE", "KILN_REMOTE_CACHE_READ_ONLY", "KILN_CACHE_SIGNING_KEY", "KILN_CACHE_DIR"] { env[name] = nil }
        env["VIPS_WARNING"] = "0"
        env.merge(environment) { _, new in new }
        process.environment = env
        return process
    }

    /// A temporary project holding a copy of the example pipelines.
    static func exampleProject() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("pipelines"),
                                         to: dir.appendingPathComponent("pipelines"))
        return dir
    }
}
