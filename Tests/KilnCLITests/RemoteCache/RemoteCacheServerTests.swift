import Foundation
import KilnCore
import KilnFakeOpenAI
import KilnTestSupport
import Testing

/// The remote cache through the real `kiln` binary against real servers on loopback: nginx with
/// WebDAV (the bazel-remote layout) and moto's S3 with signatures checked.
@Suite(.serialized, .enabled(if: Servers.nginx != nil || Servers.required, "needs nginx with WebDAV: apt-get install nginx-light"),
       NginxServer.scope)
struct RemoteCacheNginxTests {
    var nginx: NginxServer {
        get throws { try #require(NginxServer.current, "the suite's nginx did not start") }
    }

    @Test func aSecondCloneBuildsFromNginxWithNoCallAndADamagedImageIsNotUsed() async throws {
        let store = RemoteStore.nginx(try nginx)
        try await RemoteProject.withFakeOpenAI { server, environment in
            let a = try RemoteProject(), b = try RemoteProject(), c = try RemoteProject()
            defer { a.remove(); b.remove(); c.remove() }
            let first = try await a.kiln(["build", "--remote-cache", store.url], environment: environment)
            #expect(first.status == 0 && first.stderr.contains("\(RemoteProject.allSteps) uploaded"), "\(first.stderr)")
            #expect(FileManager.default.fileExists(atPath: store.folder.appendingPathComponent("ac").path))

            await server.state.resetRecording()
            let second = try await b.kiln(["build", "--remote-cache", store.url], environment: environment)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(await server.state.requestCount == 0, "the second clone paid again")
            #expect(try b.images() == a.images())

            let logo = try a.read("outputs/brand/logo.png")
            try store.damageBlob(Digest.sha256(logo))
            await server.state.resetRecording()
            let third = try await c.kiln(["build", "--remote-cache", store.url], environment: environment)
            #expect(third.status == 0 && third.stderr.contains("not used") && third.stderr.contains("1 rejected"), "\(third.stderr)")
            #expect(await server.state.requestCount == 1)
            #expect(try c.read("outputs/brand/logo.png") == logo)
        }
    }

    @Test func readOnlySendsNoPut() async throws {
        let nginx = try nginx
        let store = RemoteStore.nginx(nginx)
        try await RemoteProject.withFakeOpenAI { _, environment in
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--remote-cache", store.url, "--remote-cache-read-only"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            let path = store.folder.lastPathComponent
            let lines = nginx.accessLog.split(separator: "\n").filter { $0.contains("/\(path)/") }
            #expect(lines.contains { $0.contains("\"GET ") }, "the build did not read the cache: \(lines.count) lines")
            #expect(!lines.contains { $0.contains("\"PUT ") }, "a read-only build sent a PUT")
        }
    }

    /// A batch sent from one clone holds its steps for another through nginx, which collects it.
    @Test func aBatchHeldInNginxIsNotPaidForByAnotherClone() async throws {
        let store = RemoteStore.nginx(try nginx)
        try await RemoteProject.withFakeOpenAI(batch: FakeBatchConfiguration(linesPerSecond: 1)) { server, environment in
            let a = try RemoteProject(), b = try RemoteProject()
            defer { a.remove(); b.remove() }
            let sent = try await a.kiln(["build", "--batch", "--remote-cache", store.url], environment: environment)
            #expect(sent.status == 0 && sent.stderr.contains("submitted 7 step(s)"), "\(sent.stderr)")
            let collected = try await b.kiln(["build", "--wait", "--remote-cache", store.url], environment: environment)
            #expect(collected.status == 0 && collected.stderr.contains("sent from another machine"), "\(collected.stderr)")
            // Only the poster's edit, which no batch held, was asked for directly.
            #expect(await BatchBuildTests.directCalls(server) == 1, "\(collected.stderr)")
            let counts = await server.batches.submissionCounts
            #expect(counts.count == 7 && counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            #expect(b.exists("outputs/brand/poster.png") && b.exists("outputs/icons/5-16.png"))
        }
    }

    /// nginx stops while the build runs: the build finishes, correct, with one warning.
    @Test func theServerKilledMidBuildLeavesACorrectBuildAndAWarning() async throws {
        let dying = try await NginxServer.start()
        let store = RemoteStore.nginx(dying)
        try await RemoteProject.withFakeOpenAI(latency: .milliseconds(300)) { _, environment in
            let project = try RemoteProject(), reference = try RemoteProject()
            defer { project.remove(); reference.remove() }
            #expect(try await reference.kiln(["build"], environment: environment).status == 0)
            async let run = project.kiln(["build", "--jobs", "1", "--remote-cache", store.url], environment: environment)
            try await Task.sleep(for: .seconds(1))   // 8 paid steps one at a time, 0.3 s each
            dying.process.stop()
            let result = try await run
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try project.images() == reference.images())
            let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning: remote cache") }
            #expect(warnings.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("error(s)"), "\(result.stderr)")
        }
    }
}

@Suite(.serialized, .enabled(if: Servers.moto || Servers.required, "needs moto: python3 -m pip install 'moto[server]' boto3 awscli"),
       MotoServer.scope)
struct RemoteCacheS3Tests {
    var moto: MotoServer {
        get throws { try #require(MotoServer.current, "the suite's moto did not start") }
    }

    @Test func threeShardsAndAnAssemblyOverS3EqualOneBuildAndTheAWSCLISeesThem() async throws {
        let moto = try moto
        let store = RemoteStore.moto(moto)
        try await RemoteProject.withFakeOpenAI { server, fake in
            let environment = fake.merging(store.environment) { _, new in new }
            let whole = try RemoteProject()
            defer { whole.remove() }
            #expect(try await whole.kiln(["build"], environment: fake).status == 0)

            await server.state.resetRecording()
            for i in 1...3 {
                let shard = try RemoteProject()
                defer { shard.remove() }
                let run = try await shard.kiln(["build", "--shard", "\(i)/3", "--remote-cache", store.url], environment: environment)
                #expect(run.status == 0, "\(run.stderr)")
            }
            let prompts = await server.state.requests.compactMap { $0.field("prompt") }
            #expect(prompts.count == RemoteProject.paidSteps && Set(prompts).count == prompts.count, "\(prompts.sorted())")

            await server.state.resetRecording()
            let assembly = try RemoteProject()
            defer { assembly.remove() }
            let assembled = try await assembly.kiln(["build", "--cache-only", "--remote-cache", store.url],
                                                    environment: store.environment)
            #expect(assembled.status == 0, "\(assembled.stderr)")
            #expect(await server.state.requestCount == 0)
            #expect(try assembly.images() == whole.images())

            let keys = try await moto.listKeys(bucket: MotoServer.bucket)
            let prefix = String(store.url.dropFirst("s3://\(MotoServer.bucket)/".count))
            #expect(keys.filter { $0.hasPrefix(prefix + "/ac/") }.count == RemoteProject.allSteps, "\(keys)")
            #expect(keys.contains { $0.hasPrefix(prefix + "/cas/") })
        }
    }

    @Test func signedRecordsAreReadWithTheKeyAndRefusedWithAnother() async throws {
        let store = RemoteStore.moto(try moto)
        try await RemoteProject.withFakeOpenAI { server, fake in
            let environment = fake.merging(store.environment) { _, new in new }
            let a = try RemoteProject(), b = try RemoteProject(), c = try RemoteProject()
            defer { a.remove(); b.remove(); c.remove() }
            let key = ["KILN_CACHE_SIGNING_KEY": "team-signing-key-0123456789"]
            #expect(try await a.kiln(["build", "--remote-cache", store.url], environment: environment.merging(key) { _, n in n }).status == 0)
            await server.state.resetRecording()
            let reader = try await b.kiln(["build", "--remote-cache", store.url], environment: environment.merging(key) { _, n in n })
            #expect(reader.status == 0 && reader.stderr.contains("0 miss(es)"), "\(reader.stderr)")
            #expect(await server.state.requestCount == 0)
            let other = try await c.kiln(["build", "--remote-cache", store.url, "--remote-cache-read-only"],
                                         environment: environment.merging(["KILN_CACHE_SIGNING_KEY": "another-key-0123456789abc"]) { _, n in n })
            #expect(other.status == 0 && other.stderr.contains("signature is wrong"), "\(other.stderr)")
            #expect(!other.stderr.contains("team-signing-key") && !other.stderr.contains(store.environment["AWS_SECRET_ACCESS_KEY"] ?? "?"))
        }
    }
}
