import Foundation
import KilnTestSupport

/// `Fixtures/misbehaving_server.py` on a free loopback port: a server that stalls mid-body, trickles
/// a byte at a time, or answers every request with one status (see the script for the modes).
enum MisbehavingServer {
    /// Runs `body` with the base URL of a server in `mode` (`path` on it), and stops the server afterwards.
    static func with<T>(_ mode: String, path: String = "/cache", _ body: (URL) async throws -> T) async throws -> T {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/misbehaving_server.py").path
        let port = LoopbackPort.free()
        let server = try await ServerProcess.start("misbehaving_server.py", ["python3", script, "\(port)", mode],
                                                   port: port, folder: TemporaryFolder.make("kiln-misbehaving"))
        return try await server.stopping { try await body(URL(string: "http://127.0.0.1:\(port)\(path)")!) }
    }
}
