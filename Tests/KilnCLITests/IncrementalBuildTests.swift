import Foundation
import KilnCore
import Testing

/// Incremental builds, kiln.lock, --locked, status, explain and clean, through the real binary,
/// offline (the placeholder renderer).
@Suite struct IncrementalBuildTests {
    let build = ["build", "--provider", "placeholder"]

    func read(_ project: URL, _ path: String) throws -> Data {
        try Data(contentsOf: project.appendingPathComponent(path))
    }

    func modified(_ project: URL, _ path: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: project.appendingPathComponent(path).path)[.modificationDate] as? Date
    }

    @Test func aSecondBuildDoesNothingAndRewritesNothing() async throws {
        let project = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: project) }
        let first = try await KilnProcess.run(build, in: project)
        #expect(first.status == 0, "\(first.stderr)\n\(first.stdout)")
        let lock = try read(project, "kiln.lock")
        let (manifestDate, lockDate) = (try modified(project, "outputs/manifest.json"), try modified(project, "kiln.lock"))
        let before = try everyFile(in: project)

        let second = try await KilnProcess.run(build, in: project)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("all 55 step(s) up to date"))
        #expect(second.stderr.contains("up to date  55") && second.stderr.contains("built       0"))
        #expect(try read(project, "kiln.lock") == lock)
        #expect(try modified(project, "outputs/manifest.json") == manifestDate, "a no-op build rewrote the manifest")
        #expect(try modified(project, "kiln.lock") == lockDate, "a no-op build rewrote kiln.lock")
        // Not one file of the project changes: outputs, the lock, the stat cache, the result cache.
        let after = try everyFile(in: project)
        #expect(after.keys.sorted() == before.keys.sorted(), "a no-op build created or removed files")
        #expect(after.filter { before[$0.key] != $0.value }.keys.sorted() == [], "a no-op build changed these files")
    }

    /// Every regular file under `dir` (.kiln included) with its size and modification time.
    func everyFile(in dir: URL) throws -> [String: String] {
        var files = [String: String]()
        let keys: [URLResourceKey] = [.isRegularFileKey, .contentModificationDateKey, .fileSizeKey]
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: keys)
        while let url = enumerator?.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: Set(keys))
            guard values.isRegularFile == true else { continue }
            let stamp = values.contentModificationDate?.timeIntervalSince1970 ?? 0
            files[url.path] = "\(values.fileSize ?? -1) \(stamp)"
        }
        return files
    }

    @Test func theLockRecordsEveryStepWithItsKeyAndOutputDigests() async throws {
        let project = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: project) }
        #expect(try await KilnProcess.run(build, in: project).status == 0)
        let lock = try #require(try JSONSerialization.jsonObject(with: read(project, "kiln.lock")) as? [String: Any])
        #expect(lock["version"] as? Int == 1)
        let steps = try #require(lock["steps"] as? [String: [String: Any]])
        #expect(steps.count == 55)
        let hero = try #require(steps["hero/hero/final"])
        #expect(hero["provider"] as? String == "placeholder" && hero["kind"] as? String == "edit")
        let outputs = try #require(hero["outputs"] as? [[String: String]])
        #expect(outputs.first?["path"] == "hero/hero.png")
        #expect(outputs.first?["sha256"] == Digest.sha256(try read(project, "outputs/hero/hero.png")))
    }

    @Test func lockedPassesOnACleanCheckoutAndFailsWithReasonsWhenAPromptChanges() async throws {
        let project = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: project) }
        #expect(try await KilnProcess.run(build, in: project).status == 0)
        // A fresh clone: manifests, committed outputs and kiln.lock; no cache, no stat cache.
        try FileManager.default.removeItem(at: project.appendingPathComponent(".kiln"))
        let clean = try await KilnProcess.run(["build", "--locked"], in: project)
        #expect(clean.status == 0, "\(clean.stderr)\n\(clean.stdout)")
        #expect(clean.stderr.contains("up to date  55"))

        let hero = project.appendingPathComponent("pipelines/hero.yaml")
        let text = try String(contentsOf: hero, encoding: .utf8)
        try text.replacingOccurrences(of: "warm clay tones", with: "cool slate tones").write(to: hero, atomically: true, encoding: .utf8)
        let stale = try await KilnProcess.run(["build", "--locked"], in: project)
        #expect(stale.status == 3)
        #expect(stale.stderr.contains("hero/hero/backdrop: prompt: \"soft studio backdrop in warm clay tones"))
        #expect(stale.stderr.contains("hero/hero/final: upstream step hero/hero/backdrop changed"))
        #expect(!stale.stderr.contains("stickers/"), "an unchanged step was reported stale")
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent(".kiln/cache/actions").path),
                "--locked ran something before refusing")
    }

    @Test func statusAndExplainSayWhatChangedAndFromWhatToWhat() async throws {
        let project = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: project) }
        #expect(try await KilnProcess.run(build, in: project).status == 0)
        let icons = project.appendingPathComponent("pipelines/icons.yaml")
        let text = try String(contentsOf: icons, encoding: .utf8)
        #expect(text.contains("quality: medium"))
        try text.replacingOccurrences(of: "quality: medium", with: "quality: high").write(to: icons, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: project.appendingPathComponent("outputs/hero/hero.png"))

        let status = try await KilnProcess.run(["status"], in: project)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("hero/hero/final: cached (hero/hero.png was deleted)"))
        #expect(status.stdout.contains("quality: medium → high"))
        let explain = try await KilnProcess.run(["plan", "--explain"], in: project)
        #expect(explain.status == 0, "\(explain.stderr)")
        let lines = explain.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("stickers/corgi-pack@corgi-happy/main ") && $0.hasSuffix("up to date") })
        #expect(lines.contains { $0.contains("quality: medium → high") })
    }

    @Test func cleanRemovesOnlyFilesNoStepProduces() async throws {
        let project = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: project) }
        #expect(try await KilnProcess.run(build, in: project).status == 0)
        let stray = project.appendingPathComponent("outputs/old/leftover.png")
        try FileManager.default.createDirectory(at: stray.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: stray)

        let dry = try await KilnProcess.run(["clean", "--dry-run"], in: project)
        #expect(dry.status == 0 && dry.stdout == "would remove old/leftover.png\n", "\(dry.stdout)\(dry.stderr)")
        #expect(FileManager.default.fileExists(atPath: stray.path))
        let real = try await KilnProcess.run(["clean"], in: project)
        #expect(real.status == 0 && real.stdout == "removed old/leftover.png\n")
        #expect(!FileManager.default.fileExists(atPath: stray.deletingLastPathComponent().path), "the empty folder stayed")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("outputs/hero/hero.png").path))
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("outputs/manifest.json").path))
    }
}

@Suite struct CacheCommandTests {
    @Test func statsCountsTheCacheAndGCKeepsWhatTheLockNames() async throws {
        let project = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: project) }
        #expect(try await KilnProcess.run(["build", "--provider", "placeholder"], in: project).status == 0)
        let stats = try await KilnProcess.run(["cache", "stats"], in: project)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(stats.stdout.contains("entries  55"), "\(stats.stdout)")
        #expect(stats.stdout.contains("images   "), "\(stats.stdout)")
        #expect(stats.stdout.contains("last     0 hit(s), 55 miss(es): 0% hit rate"), "\(stats.stdout)")

        let kept = try await KilnProcess.run(["cache", "gc", "--keep-days", "0"], in: project)
        #expect(kept.status == 0 && kept.stdout.hasPrefix("removed 0 entries, 0 image(s)"), "\(kept.stdout)\(kept.stderr)")

        // Without the lock naming them, entries unused for 0 days go; objects written in the last
        // hour stay (a concurrent build may be about to name them).
        try FileManager.default.removeItem(at: project.appendingPathComponent("kiln.lock"))
        let dropped = try await KilnProcess.run(["cache", "gc", "--keep-days", "0"], in: project)
        #expect(dropped.status == 0 && dropped.stdout.hasPrefix("removed 55 entries"), "\(dropped.stdout)\(dropped.stderr)")
        #expect(try await KilnProcess.run(["cache", "stats"], in: project).stdout.contains("entries  0"))
    }
}
