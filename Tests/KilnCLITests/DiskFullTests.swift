import Foundation
import HummingbirdTesting
import KilnFakeOpenAI
import Testing

/// A small tmpfs mounted over `outputs/`: a real disk that fills up. Mounting needs root (CI and
/// this machine's sessions run as root); elsewhere these tests are reported as disabled, not passed.
private struct SmallDisk {
    let path: String

    static var canMount: Bool {
        guard getuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]) else { return false }
        _ = run("/bin/umount", [probe])
        return true
    }

    init(at path: String, megabytes: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]) else {
            throw CocoaError(.fileWriteUnknown)
        }
        self.path = path
    }

    func unmount() { _ = Self.run("/bin/umount", [path]) }

    /// Writes zeros until the disk refuses.
    func fill() {
        guard let handle = FileHandle(forWritingAtPath: path + "/.filler") ?? {
            FileManager.default.createFile(atPath: path + "/.filler", contents: nil)
            return FileHandle(forWritingAtPath: path + "/.filler")
        }() else { return }
        let chunk = Data(repeating: 0, count: 64 * 1024)
        while (try? handle.write(contentsOf: chunk)) != nil {}
        try? handle.close()
    }

    func free() { try? FileManager.default.removeItem(atPath: path + "/.filler") }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}

private let key = "sk-test-disk-full-0123456789abcdef"

private func project(steps: Int) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-disk-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("pipelines"), withIntermediateDirectories: true)
    let assets = (1...steps).map { "  a\($0): { prompt: \"a calm sea, number \($0)\", size: 1024x1024, output: \"sea/\($0).png\" }" }
    try Data(("version: 1\nproviders:\n  openai: { max_in_flight: 1 }\nassets:\n" + assets.joined(separator: "\n") + "\n").utf8)
        .write(to: dir.appendingPathComponent("pipelines/m.yaml"))
    return dir
}

@Suite(.serialized, .enabled(if: SmallDisk.canMount, "needs root to mount a small tmpfs"))
struct DiskFullTests {
    @Test func aPlanLargerThanTheFreeSpaceIsRefusedBeforeAnythingIsPaid() async throws {
        let dir = try project(steps: 3)
        let disk = try SmallDisk(at: dir.appendingPathComponent("outputs").path, megabytes: 1)
        defer { disk.unmount(); try? FileManager.default.removeItem(at: dir) }
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: key))
        try await server.makeApplication().test(.live) { client in
            let environment = ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
            let result = try await KilnProcess.run(["build"], in: dir, environment: environment)
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains("but only") && result.stderr.contains("are free"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing was built or paid for"))
            #expect(await server.state.requestCount == 0)
        }
    }

    @Test func aDiskThatFillsDuringTheBuildStopsNewPaidStepsAndKeepsTheAnswer() async throws {
        let dir = try project(steps: 4)
        let disk = try SmallDisk(at: dir.appendingPathComponent("outputs").path, megabytes: 16)
        defer { disk.unmount(); try? FileManager.default.removeItem(at: dir) }
        let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: key, latency: .milliseconds(1500)))
        try await server.makeApplication().test(.live) { client in
            let environment = ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
            // The disk fills after the destination check, while the first answer is on its way.
            async let build = KilnProcess.run(["build", "--jobs", "1"], in: dir, environment: environment)
            while await server.state.requestsInFlight == 0 { try await Task.sleep(for: .milliseconds(20)) }
            disk.fill()
            let result = try await build
            #expect(result.status == 1, "\(result.stderr)")
            #expect(result.stderr.contains("no space left on the disk"), "\(result.stderr)")
            #expect(result.stderr.contains("no further paid steps are started"))
            #expect(result.stderr.contains("the answer is stored in the cache"), "\(result.stderr)")
            // The step after the first may already be on its way when the first answer fails to save
            // (a slot is freed as soon as an answer arrives); nothing is started after the failure.
            let paid = await server.state.requestCount
            #expect(paid <= 2, "a full disk must stop the build from paying for more (\(paid) requests)")
            // Space freed: the answer that was paid for comes from the cache, the rest are paid once.
            disk.free()
            let again = try await KilnProcess.run(["build", "--jobs", "1"], in: dir, environment: environment)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(await server.state.requestCount == 4, "the first answer was paid for once")
        }
    }
}
