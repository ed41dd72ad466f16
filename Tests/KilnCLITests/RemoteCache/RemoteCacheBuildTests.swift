import Foundation
import HummingbirdTesting
import KilnCore
import KilnFakeOpenAI
import Testing

/// A remote cache shared by several clones of one project, with the real `kiln` binary and the fake
/// OpenAI server counting what is paid for: the second clone pays nothing, damaged copies are not
/// used, shards plus an assembly equal one build, read-only never writes.
/// `RemoteStore` says which store: a folder here, nginx and moto in the server suites.
@Suite(.serialized) struct RemoteCacheBuildTests {
    static let key = "sk-test-kiln-remote-0123456789"

    @Test func aSecondCloneBuildsFromTheRemoteCacheWithNoCall() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { server, environment in
            let a = try RemoteProject(), b = try RemoteProject()
            defer { a.remove(); b.remove() }
            let first = try await a.kiln(["build", "--remote-cache", remote.url], environment: environment)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(await server.state.requestCount == RemoteProject.paidSteps)
            #expect(first.stderr.contains("remote cache \(remote.url): 0 hit(s)"), "\(first.stderr)")

            await server.state.resetRecording()
            let second = try await b.kiln(["build", "--remote-cache", remote.url], environment: environment)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(await server.state.requestCount == 0, "the second clone paid again")
            #expect(second.stderr.contains("\(RemoteProject.allSteps) hit(s), 0 miss(es)"), "\(second.stderr)")
            #expect(try b.images() == a.images(), "the outputs differ")
            let stats = try await b.kiln(["cache", "stats"], environment: environment)
            #expect(stats.stdout.contains("remote   \(RemoteProject.allSteps) hit(s)"), "\(stats.stdout)")
        }
    }

    @Test func aDamagedImageInTheRemoteCacheIsDetectedAndNotUsed() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { server, environment in
            let a = try RemoteProject(), b = try RemoteProject()
            defer { a.remove(); b.remove() }
            #expect(try await a.kiln(["build", "--remote-cache", remote.url], environment: environment).status == 0)
            // One image on the server altered: same name, other bytes.
            let logo = try a.read("outputs/brand/logo.png")
            try remote.damageBlob(Digest.sha256(logo))

            await server.state.resetRecording()
            let second = try await b.kiln(["build", "--remote-cache", remote.url], environment: environment)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stderr.contains("does not match its digest"), "\(second.stderr)")
            #expect(await server.state.requestCount == 1, "only the damaged answer is paid for again: \(second.stderr)")
            #expect(try Digest.sha256(b.read("outputs/brand/logo.png")) == Digest.sha256(logo))

            // The second clone sent its copy over the damaged one: a third pays nothing.
            await server.state.resetRecording()
            let c = try RemoteProject()
            defer { c.remove() }
            let third = try await c.kiln(["build", "--remote-cache", remote.url], environment: environment)
            #expect(third.status == 0 && !third.stderr.contains("does not match its digest"), "\(third.stderr)")
            #expect(await server.state.requestCount == 0, "the damaged copy was left in the store: \(third.stderr)")
        }
    }

    /// `kiln cache pull` fills the local cache from the remote one (then a build needs neither the
    /// network nor the provider); a damaged copy is not taken and its step is named; without a lock
    /// there is nothing to pull and the command says what to do.
    @Test func pullFillsTheLocalCacheAndNamesWhatItCouldNotGet() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { server, environment in
            let a = try RemoteProject(), b = try RemoteProject(), c = try RemoteProject()
            defer { a.remove(); b.remove(); c.remove() }
            let none = try await b.kiln(["cache", "pull", "--remote-cache", remote.url])
            #expect(none.status != 0 && none.stderr.contains("run `kiln build` once first"), "\(none.stderr)")

            #expect(try await a.kiln(["build", "--remote-cache", remote.url], environment: environment).status == 0)
            let lock = try a.read("kiln.lock")
            try lock.write(to: b.root.appendingPathComponent("kiln.lock"))
            try lock.write(to: c.root.appendingPathComponent("kiln.lock"))

            await server.state.resetRecording()
            let pulled = try await b.kiln(["cache", "pull", "--remote-cache", remote.url])
            #expect(pulled.status == 0, "\(pulled.stdout)\(pulled.stderr)")
            #expect(pulled.stdout.contains("pulled \(RemoteProject.allSteps) answer(s) (0 here already); 0 missing"), "\(pulled.stdout)")
            let again = try await b.kiln(["cache", "pull", "--remote-cache", remote.url])
            #expect(again.stdout.contains("pulled 0 answer(s) (\(RemoteProject.allSteps) here already)"), "\(again.stdout)")
            // Offline now: no remote cache, no key, no provider call, the same files.
            let offline = try await b.kiln(["build", "--cache-only", "--no-remote-cache"])
            #expect(offline.status == 0, "\(offline.stderr)")
            #expect(await server.state.requestCount == 0)
            #expect(try b.images() == a.images())

            // The logo's image altered on the store: not taken, and its step is named.
            try remote.damageBlob(Digest.sha256(a.read("outputs/brand/logo.png")))
            let damaged = try await c.kiln(["cache", "pull", "--remote-cache", remote.url])
            #expect(damaged.status == 1, "\(damaged.stdout)\(damaged.stderr)")
            #expect(damaged.stdout.contains("1 missing or damaged") && damaged.stdout.contains("  missing p/logo/main"),
                    "\(damaged.stdout)")
            #expect(damaged.stderr.contains("does not match its digest"), "\(damaged.stderr)")
        }
    }

    @Test func threeShardsAndAnAssemblyEqualOneBuildWithEveryStepPaidOnce() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { server, environment in
            let whole = try RemoteProject()
            defer { whole.remove() }
            #expect(try await whole.kiln(["build"], environment: environment).status == 0)

            await server.state.resetRecording()
            var shardSteps = 0
            for i in 1...3 {
                let shard = try RemoteProject()
                defer { shard.remove() }
                let run = try await shard.kiln(["build", "--shard", "\(i)/3", "--remote-cache", remote.url], environment: environment)
                #expect(run.status == 0, "\(run.stderr)")
                let line = try #require(run.stderr.split(separator: "\n").first { $0.hasPrefix("shard \(i)/3: ") })
                shardSteps += Int(line.dropFirst("shard \(i)/3: ".count).prefix { $0.isNumber }) ?? 0
            }
            #expect(shardSteps == RemoteProject.allSteps, "the shards do not cover the plan once")
            let prompts = await server.state.requests.compactMap { $0.field("prompt") }
            #expect(prompts.count == RemoteProject.paidSteps && Set(prompts).count == prompts.count,
                    "a step was paid for twice, or not at all: \(prompts.sorted())")

            await server.state.resetRecording()
            let assembly = try RemoteProject()
            defer { assembly.remove() }
            let assembled = try await assembly.kiln(["build", "--cache-only", "--remote-cache", remote.url], environment: [:])
            #expect(assembled.status == 0, "\(assembled.stderr)")
            #expect(await server.state.requestCount == 0)
            #expect(try assembly.images() == whole.images(), "the assembled outputs differ from one build's")
            #expect(assembly.exists("kiln.lock"))
        }
    }

    @Test func cacheOnlyListsWhatNoCacheHasAndExitsThree() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        let project = try RemoteProject()
        defer { project.remove() }
        let run = try await project.kiln(["build", "--cache-only", "--remote-cache", remote.url, "--provider", "openai"])
        #expect(run.status == 3, "\(run.stderr)")
        // The logo and the six icons; the poster and the derives read them and did not run.
        #expect(run.stderr.contains("--cache-only: 7 step(s) are in neither the local nor the remote cache"),
                "\(run.stderr)")
        #expect(run.stderr.contains("  p/logo/main"), "\(run.stderr)")
        #expect(!project.exists("outputs/brand/logo.png"))
    }

    @Test func readOnlyNeverWrites() async throws {
        let remote = try RemoteStore.folder()
        defer { remote.remove() }
        try await RemoteProject.withFakeOpenAI { _, environment in
            let project = try RemoteProject()
            defer { project.remove() }
            let run = try await project.kiln(["build", "--remote-cache", remote.url, "--remote-cache-read-only"], environment: environment)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("(read-only)"), "\(run.stderr)")
            #expect(remote.isEmpty, "a read-only build wrote to the remote cache")
            let push = try await project.kiln(["cache", "push", "--remote-cache", remote.url, "--remote-cache-read-only"])
            #expect(push.status != 0 && remote.isEmpty)
            // `kiln cache push` sends it all later, and verify finds it there.
            let pushed = try await project.kiln(["cache", "push", "--remote-cache", remote.url])
            #expect(pushed.status == 0 && pushed.stdout.contains("pushed \(RemoteProject.allSteps) of \(RemoteProject.allSteps)"),
                    "\(pushed.stdout)\(pushed.stderr)")
            let verify = try await project.kiln(["cache", "verify", "--remote", "--remote-cache", remote.url])
            #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
            #expect(verify.stdout.contains("0 missing or damaged"), "\(verify.stdout)")
        }
    }

    /// A manifest is project content a pull request can change: the environment's HTTP credentials
    /// go to a cache it names only when KILN_REMOTE_CACHE_CREDENTIAL_HOSTS lists the host.
    @Test func credentialsGoOnlyToHostsTheRunnerNamed() async throws {
        let project = try RemoteProject()
        defer { project.remove() }
        let token = "tok-3f9a7c1e5b2d8046"
        // Port 9 (discard): nothing answers, so a run that is allowed goes on with a warning.
        try project.write("pipelines/q.yaml", "version: 1\ncache: { remote: \"http://127.0.0.1:9/kiln\" }\nassets:\n  q: { prompt: \"a q\", provider: placeholder, model: gpt-image-2-2026-04-21, size: 64x64 }\n")
        for variables in [["KILN_REMOTE_CACHE_TOKEN": token], ["KILN_REMOTE_CACHE_USER": "ci", "KILN_REMOTE_CACHE_PASSWORD": token]] {
            let refused = try await project.kiln(["build", "q", "--provider", "placeholder"], environment: variables)
            #expect(refused.status == 2, "\(refused.stderr)")
            #expect(refused.stderr.contains("q.yaml:2:") && refused.stderr.contains("export KILN_REMOTE_CACHE_CREDENTIAL_HOSTS=127.0.0.1"),
                    "\(refused.stderr)")
            #expect(!refused.stderr.contains(token) && !refused.stdout.contains(token))
            #expect(!project.exists("outputs/q.png"), "the build ran")
        }
        // Listed (or a wildcard that does not match: still refused), or named by the runner itself: allowed.
        let other = try await project.kiln(["build", "q", "--provider", "placeholder"],
                                         environment: ["KILN_REMOTE_CACHE_TOKEN": token, "KILN_REMOTE_CACHE_CREDENTIAL_HOSTS": "*.example.com"])
        #expect(other.status == 2, "\(other.stderr)")
        let listed = try await project.kiln(["build", "q", "--provider", "placeholder"],
                                          environment: ["KILN_REMOTE_CACHE_TOKEN": token, "KILN_REMOTE_CACHE_CREDENTIAL_HOSTS": "cache.example.com, 127.0.0.1"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let flagged = try await project.kiln(["build", "q", "--provider", "placeholder", "--force", "q", "--remote-cache", "http://127.0.0.1:9/kiln"],
                                           environment: ["KILN_REMOTE_CACHE_TOKEN": token])
        #expect(flagged.status == 0, "\(flagged.stderr)")
        let noCredentials = try await project.kiln(["build", "q", "--provider", "placeholder", "--force", "q"])
        #expect(noCredentials.status == 0, "\(noCredentials.stderr)")
    }

    @Test func theManifestsCacheBlockIsUsedAndTheFlagsAndEnvironmentComeFirst() async throws {
        let remote = try RemoteStore.folder(), other = try RemoteStore.folder()
        defer { remote.remove(); other.remove() }
        let project = try RemoteProject()
        defer { project.remove() }
        try project.write("pipelines/q.yaml", "version: 1\ncache: { remote: \"\(remote.url)\" }\nassets:\n  q: { prompt: \"a q\", provider: placeholder, model: gpt-image-2-2026-04-21, size: 64x64 }\n")
        let built = try await project.kiln(["build", "q", "--provider", "placeholder"])
        #expect(built.status == 0 && built.stderr.contains("remote cache \(remote.url):"), "\(built.stderr)")
        #expect(!remote.isEmpty)
        let flag = try await project.kiln(["build", "--provider", "placeholder", "--force", "q", "--remote-cache", other.url])
        #expect(flag.stderr.contains("remote cache \(other.url):"), "--remote-cache comes first: \(flag.stderr)")
        let none = try await project.kiln(["build", "--provider", "placeholder", "--force", "q", "--no-remote-cache"])
        #expect(none.status == 0 && !none.stderr.contains("remote cache"), "\(none.stderr)")

        // Two manifests naming different caches: refused, both places named.
        try project.write("pipelines/r.yaml", "version: 1\ncache: { remote: \"\(other.url)\" }\nassets:\n  r: { prompt: \"an r\", model: gpt-image-2-2026-04-21, size: 64x64 }\n")
        let conflict = try await project.kiln(["build", "--provider", "placeholder"])
        #expect(conflict.status == 2 && conflict.stderr.contains("r.yaml:2:") && conflict.stderr.contains("q.yaml:2:"), "\(conflict.stderr)")
        // A signing key too short to be one.
        let weak = try await project.kiln(["build", "q", "--provider", "placeholder", "--remote-cache", remote.url],
                                        environment: ["KILN_CACHE_SIGNING_KEY": "short"])
        #expect(weak.status == 2 && weak.stderr.contains("KILN_CACHE_SIGNING_KEY must be at least 16 bytes"), "\(weak.stderr)")
        #expect(!weak.stderr.contains("short\n"))
    }
}
