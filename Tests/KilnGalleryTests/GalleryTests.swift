import Foundation
import KilnCore
@testable import KilnGallery
import KilnImaging
import KilnOutputs
import KilnPlaceholder
import Testing

/// The gallery from real files: images rendered by the placeholder provider, thumbnails made by
/// libvips, the page written to disk and its data read back the way the browser reads it.
@Suite struct GalleryTests {
    let root: URL
    var outputs: URL { root.appendingPathComponent("outputs") }
    var cache: URL { root.appendingPathComponent(".kiln/cache") }

    init() throws {
        try VipsToolkit.initialize()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-gallery-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    static let generate = StepID(pipeline: "icons", asset: "app", variant: "blue", step: "main")
    static let small = StepID(pipeline: "icons", asset: "app", variant: "blue", step: "small")

    /// Renders a real image for `step`, writes it under outputs/ and returns its manifest entry.
    func file(_ path: String, step: StepID, prompt: String?, seed: String, width: Int = 300, height: Int = 200,
              transparent: Bool = false) async throws -> OutputManifest.File {
        let parameters = ImageParameters(size: .fixed(width: width, height: height),
                                         background: transparent ? .transparent : nil, format: .png)
        let request = ImageRequest(stepID: step, kind: .generate, model: "gpt-image-1.5", prompt: seed, parameters: parameters)
        let data = try await PlaceholderProvider().run(request).images[0]
        let url = outputs.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return OutputManifest.File(path: path, step: step, asset: "\(step.pipeline)/\(step.asset)", variant: step.variant,
                                   variantValues: [:], index: 0, sha256: Digest.sha256(data), bytes: data.count,
                                   width: width, height: height, format: .png, alpha: transparent,
                                   kind: step.step == "main" ? .generate : .derive, provider: "placeholder",
                                   model: "gpt-image-1.5", prompt: prompt,
                                   parameters: step.step == "main" ? parameters : nil, cacheKey: "k-" + seed,
                                   cost: .init(usd: 0.011, basis: .actual), requestID: "req_" + seed, fromCache: false)
    }

    func writeManifest(_ files: [OutputManifest.File]) throws {
        let manifest = OutputManifest(files: files, steps: [], totals: .init(steps: files.count, files: files.count, bytes: 0,
                                                                            costUSD: 0.022, built: files.count, cached: 0,
                                                                            upToDate: 0, failed: 0, skipped: 0))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Renamed into place, as a build writes it.
        try encoder.encode(manifest).write(to: outputs.appendingPathComponent("manifest.json"), options: .atomic)
    }

    var writer: GalleryWriter {
        GalleryWriter(outputDirectory: outputs, manifestURL: outputs.appendingPathComponent("manifest.json"),
                      cacheDirectory: cache, toolkit: VipsToolkit())
    }

    /// The page's data, parsed as the page's script parses it.
    func pageData() throws -> [String: Any] {
        let html = try String(contentsOf: outputs.appendingPathComponent("index.html"), encoding: .utf8)
        let start = try #require(html.range(of: "<script id=\"kiln-data\" type=\"application/json\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = Data(html[start.upperBound..<end.lowerBound].utf8)
        return try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    }

    func items() throws -> [[String: Any]] {
        try #require(try pageData()["items"] as? [[String: Any]])
    }

    @Test func aFirstBuildShowsEveryImageWithAThumbnailAndItsLineage() async throws {
        let main = try await file("icons/app-blue.png", step: Self.generate, prompt: "a blue app icon", seed: "a", transparent: true)
        let small = try await file("icons/app-blue-64.png", step: Self.small, prompt: nil, seed: "b", width: 64, height: 64)
        try writeManifest([main, small])
        let plan = Plan(steps: [
            PlannedStep(id: Self.generate, kind: .generate, cacheKey: "k-a"),
            PlannedStep(id: Self.small, kind: .derive, inputs: [.step(Self.generate)], cacheKey: "k-b"),
        ])
        let summary = try await writer.write(plan: plan, root: root, made: { $0 == "k-a" ? "2026-12-03T10:00:00Z" : nil })
        #expect(summary.images == 2 && summary.thumbnailsMade == 2 && summary.thumbnailsMissing == 0)

        let items = try items()
        let byPath = Dictionary(uniqueKeysWithValues: items.map { ($0["path"] as! String, $0) })
        let generated = try #require(byPath["icons/app-blue.png"])
        #expect(generated["status"] as? String == "new")
        #expect(generated["usedBy"] as? [String] == ["icons/app-blue-64.png"])
        #expect(generated["made"] as? String == "2026-12-03T10:00:00Z")
        #expect(generated["requestID"] as? String == "req_a")
        #expect((generated["parameters"] as? [String: Any])?["background"] as? String == "transparent")
        #expect(byPath["icons/app-blue-64.png"]?["inputs"] as? [String] == ["icons/app-blue.png"])

        // Each thumbnail is a WebP no larger than 256 px, beside the page and in the cache.
        for item in items {
            let thumb = try #require(item["thumb"] as? String)
            let data = try Data(contentsOf: outputs.appendingPathComponent(thumb))
            let info = try await VipsToolkit().inspect(data)
            #expect(info.format == .webp && max(info.width, info.height) <= 256)
            #expect(info.hasAlpha == (item["alpha"] as? Bool == true), "\(thumb)")
            let sha = String(thumb.split(separator: "/").last!.dropLast(5))
            #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("thumbs/\(sha.prefix(2))/\(sha).webp").path))
        }
        #expect(try pageData()["compared"] as? Bool == false)
    }

    @Test func aRebuildMarksChangesKeepsThePreviousThumbnailAndMakesNoThumbnailTwice() async throws {
        let first = try await file("icons/app-blue.png", step: Self.generate, prompt: "blue", seed: "a")
        let kept = try await file("icons/app-blue-64.png", step: Self.small, prompt: nil, seed: "b")
        try writeManifest([first, kept])
        _ = try await writer.write(plan: nil, root: nil)
        let before = writer.snapshot()

        // The build replaces one image and adds another; the output manifest changes.
        let replaced = try await file("icons/app-blue.png", step: Self.generate, prompt: "bluer", seed: "c")
        let added = try await file("icons/app-red.png", step: StepID(pipeline: "icons", asset: "app", variant: "red", step: "main"),
                                   prompt: "red", seed: "d")
        try writeManifest([replaced, kept, added])
        try writer.rememberPrevious(before)
        let summary = try await writer.write(plan: nil, root: nil)
        #expect(summary.new == 1 && summary.changed == 1)
        #expect(summary.thumbnailsMade == 2, "only the two new images need a thumbnail")

        let byPath = Dictionary(uniqueKeysWithValues: try items().map { ($0["path"] as! String, $0) })
        #expect(byPath["icons/app-blue.png"]?["status"] as? String == "changed")
        #expect(byPath["icons/app-blue.png"]?["previous"] as? String == "kiln-gallery/thumbs/\(first.sha256).webp")
        #expect(byPath["icons/app-blue-64.png"]?["status"] as? String == "unchanged")
        #expect(byPath["icons/app-red.png"]?["status"] as? String == "new")
        #expect(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("kiln-gallery/thumbs/\(first.sha256).webp").path))

        // A build that changes nothing keeps the comparison, whether it leaves the manifest alone or
        // writes the same bytes again; thumbnails beside the page are reused.
        try writer.rememberPrevious(writer.snapshot())
        let same = writer.snapshot()
        try writeManifest([replaced, kept, added])
        try writer.rememberPrevious(same)
        let again = try await writer.write(plan: nil, root: nil)
        #expect(again.changed == 1 && again.thumbnailsMade == 0)

        // Thumbnails removed from beside the page come back from the cache, not from libvips.
        try FileManager.default.removeItem(at: outputs.appendingPathComponent("kiln-gallery/thumbs"))
        let restored = try await writer.write(plan: nil, root: nil)
        #expect(restored.thumbnailsMade == 0 && restored.thumbnailsFromCache == 4)
    }

    /// Prompts and names are user text: nothing in them can end the data block or add markup.
    @Test(arguments: ["</script><script>window.pwned=1</script>", "<!-- <script>", "a & b \"quoted\" 'single'",
                      "line\u{2028}separator\u{2029}", "<img src=x onerror=alert(1)>"])
    func hostileTextStaysData(_ prompt: String) async throws {
        let main = try await file("icons/app-blue.png", step: Self.generate, prompt: prompt, seed: "h")
        try writeManifest([main])
        _ = try await writer.write(plan: nil, root: nil)
        let html = try String(contentsOf: outputs.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(html.components(separatedBy: "<script").count - 1 == 2, "only the data block and the page's own script")
        #expect(!html.contains("<img src=x") && !html.contains("<!-- <script>"))
        #expect(try items().first?["prompt"] as? String == prompt)
    }

    @Test func noManifestIsAClearError() async throws {
        await #expect(throws: GalleryError.self) { try await writer.write(plan: nil, root: nil) }
        try FileManager.default.createDirectory(at: outputs, withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: outputs.appendingPathComponent("manifest.json"))
        do {
            _ = try await writer.write(plan: nil, root: nil)
            Issue.record("a damaged manifest was accepted")
        } catch let error as GalleryError {
            #expect(error.description.contains("kiln build"))
        }
    }

    @Test func reservedOutputNamesAreRefused() {
        #expect(ReservedOutputs.problem("index.html") != nil)
        #expect(ReservedOutputs.problem("Manifest.JSON") != nil)
        #expect(ReservedOutputs.problem("kiln-gallery/thumbs/x.webp") != nil)
        #expect(ReservedOutputs.problem("icons/index.html") == nil)
        #expect(ReservedOutputs.problem("kiln-gallery-art/a.png") == nil)
    }
}
