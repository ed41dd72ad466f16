import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import Testing

private let key = "sk-test-kiln-crash-0123456789SECRET"

/// The cache's entries for paid steps (generate/edit), by cache key. An entry file is a header
/// line `kiln-cache-entry 4 <record length>` and the record's JSON (the images are blobs).
private func paidEntries(in project: URL) -> Set<String> {
    let actions = project.appendingPathComponent(".kiln/cache/actions")
    var keys = Set<String>()
    let enumerator = FileManager.default.enumerator(at: actions, includingPropertiesForKeys: nil)
    while let url = enumerator?.nextObject() as? URL {
        guard url.pathExtension == "entry", let data = try? Data(contentsOf: url),
              let newline = data.firstIndex(of: 0x0A),
              let length = String(decoding: data[..<newline], as: UTF8.self).split(separator: " ").last.flatMap({ Int($0) }),
              data.count > newline + length,
              let record = try? JSONSerialization.jsonObject(with: data[(newline + 1)...(newline + length)]) as? [String: Any],
              let kind = record["kind"] as? String, kind != "derive" else { continue }
        keys.insert(url.deletingPathExtension().lastPathComponent)
    }
    return keys
}

/// Every file under `dir` whose name marks a write that never finished.
private func unfinishedFiles(under dir: URL) -> [String] {
    let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
    var found = [String]()
    while let url = enumerator?.nextObject() as? URL {
        let name = url.lastPathComponent
        let inCacheTmp = url.deletingLastPathComponent().lastPathComponent == "tmp"
        if name.hasSuffix(".tmp") || name.contains(".kiln-") || inCacheTmp { found.append(url.path) }
    }
    return found
}

@Test(.timeLimit(.minutes(3)))
func killNineMidBuildThenBuildAgainPaysOnlyForAnswersThatNeverArrived() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: key, latency: .milliseconds(300)))
    try await server.makeApplication().test(.live) { client in
        let environment = ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1"]
        let build = try KilnProcess.start(["build", "pipelines/", "--jobs", "3"], in: project, environment: environment)
        // Kill it once a few answers are in the cache and more are on the way.
        var waited = 0
        while paidEntries(in: project).count < 4 && build.isRunning && waited < 1200 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        #expect(build.isRunning, "the build finished before it could be killed; raise the fake's latency")
        kill(build.processIdentifier, SIGKILL)
        build.waitUntilExit()
        #expect(build.terminationReason == .uncaughtSignal)
        let stored = paidEntries(in: project)
        let paidBeforeKill = await server.state.requestCount
        #expect(stored.count >= 4 && stored.count < 18)
        #expect(paidBeforeKill < 18)

        // The killed build's connections close; a request it had fully sent may still be handled
        // (and recorded) by the fake. Let that settle before counting the rebuild's requests.
        for _ in 0..<500 {
            let open = await server.state.openConnections, inFlight = await server.state.requestsInFlight
            if open == 0 && inFlight == 0 { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        await server.state.resetRecording()
        let rerun = try await KilnProcess.run(["build", "pipelines/", "--jobs", "3"], in: project,
                                                   environment: environment)
        #expect(rerun.status == 0, "\(rerun.stderr)\n\(rerun.stdout)")
        // 17 generations + 1 edit in the examples; every answer stored before the kill is reused.
        let paths = await server.state.requests.map(\.path)
        #expect(paths.count == 18 - stored.count,
                "stored \(stored.count) before the kill (\(paidBeforeKill) requests then); the rebuild sent \(paths)\n\(rerun.stdout)")
        #expect(unfinishedFiles(under: project.appendingPathComponent("outputs")).isEmpty)
        #expect(unfinishedFiles(under: project.appendingPathComponent(".kiln/cache")).isEmpty)
        let manifest = try Data(contentsOf: project.appendingPathComponent("outputs/manifest.json"))
        #expect((try? JSONSerialization.jsonObject(with: manifest)) != nil, "the manifest is torn")
        let lock = try Data(contentsOf: project.appendingPathComponent("kiln.lock"))
        #expect((try? JSONSerialization.jsonObject(with: lock)) != nil, "kiln.lock is torn")
    }
}

@Test(.timeLimit(.minutes(3)))
func twoBuildsSharingOneCachePayForEachAnswerOnce() async throws {
    let first = try KilnProcess.exampleProject(), second = try KilnProcess.exampleProject()
    let cache = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-shared-cache-\(UUID().uuidString)")
    defer { for dir in [first, second, cache] { try? FileManager.default.removeItem(at: dir) } }
    let server = FakeOpenAIServer(configuration: FakeOpenAIConfiguration(apiKey: key, latency: .milliseconds(200)))
    try await server.makeApplication().test(.live) { client in
        let environment = ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": "http://127.0.0.1:\(client.port ?? 0)/v1",
                           "KILN_CACHE_DIR": cache.path]
        async let a = KilnProcess.run(["build", "pipelines/", "--jobs", "4"], in: first, environment: environment)
        async let b = KilnProcess.run(["build", "pipelines/", "--jobs", "4"], in: second, environment: environment)
        let (ra, rb) = try await (a, b)
        #expect(ra.status == 0, "\(ra.stderr)\n\(ra.stdout)")
        #expect(rb.status == 0, "\(rb.stderr)\n\(rb.stdout)")
        // 17 generations + 1 edit: each key paid for once, whichever build got there first.
        #expect(await server.state.requestCount == 18)
        let files = { (project: URL) in try Data(contentsOf: project.appendingPathComponent("outputs/hero/hero.png")) }
        #expect(try files(first) == files(second))
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("actions").path))
        #expect(!FileManager.default.fileExists(atPath: first.appendingPathComponent(".kiln/cache").path),
                "KILN_CACHE_DIR was ignored")
    }
}
