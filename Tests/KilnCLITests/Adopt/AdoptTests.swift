import Foundation
import KilnCore
import KilnImaging
import Testing

/// `kiln adopt` through the real binary, with real files and libvips, and never an API key.
@Suite struct AdoptTests {
    @Test func anAdoptedFileIsCachedPlacedAndLockedSoALockedBuildPassesWithoutAKey() async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        try project.write(project.logo, to: "outputs/brand/logo.png")

        let adopt = try await project.kiln(["adopt", "brand/logo"])
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains("adopted brand/logo/main ← outputs/brand/logo.png"), "\(adopt.stdout)")
        #expect(adopt.stderr.contains("1 file(s) adopted for 1 step(s), 1 derived step(s) redone from them: nothing was paid for"),
                "\(adopt.stderr)")
        #expect(!adopt.stderr.contains("OPENAI_API_KEY is not set"), "adopt needs no key and should not talk about one")
        #expect(try project.read("outputs/brand/logo.png") == project.logo)
        let small = try await VipsToolkit().inspect(try project.read("outputs/brand/logo-16.png"))
        #expect((small.width, small.height) == (16, 16), "the derive was not redone from the adopted file")

        let entry = try #require(try project.manifestEntry("brand/logo.png"))
        #expect(entry["adopted"] as? Bool == true && entry["from_cache"] as? Bool == true)
        #expect(entry["request_id"] == nil && entry["usage"] == nil)
        let cost = try #require(entry["cost"] as? [String: Any])
        #expect(cost["usd"] as? Double == 0 && cost["basis"] as? String == "none")
        #expect(entry["sha256"] as? String == Digest.sha256(project.logo))
        #expect(try project.manifestEntry("brand/logo-16.png")?["adopted"] == nil)
        let locked = try #require(try project.lockEntry("brand/logo/main"))
        #expect((locked["outputs"] as? [[String: String]])?.first?["sha256"] == Digest.sha256(project.logo))
        #expect(try project.lockEntry("brand/logo/derive") != nil)

        // CI: no key, no calls, nothing stale. The badge was never built or adopted: name only the logo.
        let build = try await project.kiln(["build", "--locked", "brand/logo"])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.stderr.contains("all 2 step(s) up to date"), "\(build.stderr)")
        // With a key, a build still calls nothing: the base URL goes nowhere.
        let paid = try await project.kiln(["build", "brand/logo"],
                                    environment: ["OPENAI_API_KEY": "sk-test-unused", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1"])
        #expect(paid.status == 0 && paid.stderr.contains("up to date"), "\(paid.stderr)")

        let explain = try await project.kiln(["plan", "--explain", "brand/logo"])
        #expect(explain.stdout.contains("up to date (adopted from outputs/brand/logo.png)"), "\(explain.stdout)")
        // Restored from the cache after a deletion, it is still the adopted answer.
        try FileManager.default.removeItem(at: project.url("outputs/brand/logo.png"))
        let status = try await project.kiln(["status", "brand/logo"])
        #expect(status.stdout.contains("brand/logo/main: cached (brand/logo.png was deleted, adopted from outputs/brand/logo.png)"),
                "\(status.stdout)")
        #expect(try await project.kiln(["build", "--locked", "brand/logo"]).status == 0)
        #expect(try project.read("outputs/brand/logo.png") == project.logo)
        #expect(try project.manifestEntry("brand/logo.png")?["adopted"] as? Bool == true)
    }

    @Test func filesComeFromAnotherFolderLaidOutLikeOutputs() async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        try project.write(project.badge, to: "art/brand/badge.png")
        let adopt = try await project.kiln(["adopt", "brand/badge/main", "--from", "art/"])
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(adopt.stdout.contains("adopted brand/badge/main ← art/brand/badge.png"), "\(adopt.stdout)")
        #expect(try project.read("outputs/brand/badge.png") == project.badge)
        #expect(try await project.kiln(["build", "--locked", "brand/badge"]).status == 0)
        let explain = try await project.kiln(["plan", "--explain", "brand/badge"])
        #expect(explain.stdout.contains("up to date (adopted from art/brand/badge.png)"), "\(explain.stdout)")
    }

    /// The case the feature is for: a typo fixed in a prompt makes a new key; the file the old
    /// key built is adopted under the new one instead of paying again. The adoption is for that
    /// key only: the next change to the prompt is stale again.
    @Test func aFixedTypoIsAdoptedUnderTheNewKeyAndTheNextChangeIsStaleAgain() async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        try project.write(project.logo, to: "outputs/brand/logo.png")
        #expect(try await project.kiln(["adopt", "brand/logo"]).status == 0)
        let fixed = AdoptProject.manifest.replacingOccurrences(of: "a round logo", with: "a round logo, flat")
        try project.write(Data(fixed.utf8), to: "pipelines/brand.yaml")

        let stale = try await project.kiln(["build", "--locked", "brand/logo"])
        #expect(stale.status == 3 && stale.stderr.contains("brand/logo/main: prompt:"), "\(stale.stderr)")
        let adopt = try await project.kiln(["adopt", "brand/logo"])
        #expect(adopt.status == 0, "\(adopt.stderr)")
        #expect(try await project.kiln(["build", "--locked", "brand/logo"]).status == 0)
        #expect(try project.read("outputs/brand/logo.png") == project.logo)
    }

    /// Adopting again what the cache already holds for the key records nothing new.
    @Test func adoptingTheCachedAnswerAgainChangesNothingInTheCache() async throws {
        let project = try AdoptProject()
        defer { project.remove() }
        try project.write(project.badge, to: "outputs/brand/badge.png")
        #expect(try await project.kiln(["adopt", "brand/badge"]).status == 0)
        let again = try await project.kiln(["adopt", "brand/badge"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("cached  brand/badge/main: the cache already holds these images"), "\(again.stdout)")
    }
}
