import Foundation
import KilnCore
import KilnImaging
import Testing

/// `kiln build` of the example pipelines, offline, through the real binary: the output manifest
/// must agree with the files on disk; a second build finds everything up to date and leaves the
/// bytes as they were; with the files deleted, a third restores them all from the cache.
@Test func buildingTheExamplesWritesFilesTheManifestDescribes() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    let first = try await KilnProcess.run(["build"], in: project)
    #expect(first.status == 0, "\(first.stderr)\n\(first.stdout)")
    #expect(first.stderr.contains("OPENAI_API_KEY is not set"))
    #expect(first.stderr.contains("build succeeded"))

    let outputs = project.appendingPathComponent("outputs")
    let manifestData = try Data(contentsOf: outputs.appendingPathComponent("manifest.json"))
    let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
    let files = try #require(manifest["files"] as? [[String: Any]])
    #expect(files.count == 54)
    try VipsToolkit.initialize()
    let toolkit = VipsToolkit()
    for entry in files {
        let path = try #require(entry["path"] as? String)
        let data = try Data(contentsOf: outputs.appendingPathComponent(path))
        #expect(entry["sha256"] as? String == Digest.sha256(data), "\(path)")
        #expect(entry["bytes"] as? Int == data.count, "\(path)")
        #expect(entry["provider"] as? String ?? "placeholder" == "placeholder", "\(path)")
        let info = try await toolkit.inspect(data)
        #expect(entry["width"] as? Int == info.width, "\(path)")
        #expect(entry["height"] as? Int == info.height, "\(path)")
        #expect(entry["alpha"] as? Bool == info.hasAlpha, "\(path)")
        #expect(entry["format"] as? String == info.format.rawValue, "\(path)")
        #expect(ImageFormat(pathExtension: (path as NSString).pathExtension) == info.format, "\(path)")
    }
    let sticker = try #require(files.first { $0["path"] as? String == "stickers/corgi-happy.png" })
    #expect(sticker["alpha"] as? Bool == true)
    #expect(sticker["width"] as? Int == 1024)
    let poster = try #require(files.first { $0["path"] as? String == "posters/spring.jpg" })
    #expect(poster["height"] as? Int == 1536)

    #expect(FileManager.default.fileExists(atPath: outputs.appendingPathComponent("index.html").path))
    let before = try checksums(outputs)
    #expect(before.count == 54)
    let second = try await KilnProcess.run(["build"], in: project)
    #expect(second.status == 0, "\(second.stderr)")
    #expect(second.stderr.contains("up to date  55"))
    #expect(try checksums(outputs) == before)

    try FileManager.default.removeItem(at: outputs)
    let third = try await KilnProcess.run(["build"], in: project)
    #expect(third.status == 0, "\(third.stderr)")
    #expect(third.stderr.contains("cached      55") && third.stderr.contains("built       0"), "\(third.stderr)")
    #expect(try checksums(outputs) == before)
}

/// sha256 of every file under `dir` except Kiln's own (the manifest and the gallery, which describe
/// the build: a cache hit is recorded as one).
private func checksums(_ dir: URL) throws -> [String: String] {
    var sums = [String: String]()
    let base = dir.standardizedFileURL.path + "/"
    let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
        let relative = String(url.standardizedFileURL.path.dropFirst(base.count))
        guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true,
              !ReservedOutputs.isKilns(relative) else { continue }
        sums[url.path] = Digest.sha256(try Data(contentsOf: url))
    }
    return sums
}

@Test func aMaskOfTheWrongSizeIsRefusedWhilePlanningWithItsPlace() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    // A mask of the wrong size: planning reads the files' headers, so nothing runs and nothing is written.
    let logo = project.appendingPathComponent("pipelines/inputs/logo.png")
    let mask = project.appendingPathComponent("pipelines/inputs/hero-mask.png")
    try FileManager.default.removeItem(at: mask)
    try FileManager.default.copyItem(at: logo, to: mask)
    let result = try await KilnProcess.run(["build", "hero"], in: project)
    #expect(result.status == 2)
    #expect(result.stderr.contains("pipelines/hero.yaml:"), "\(result.stderr)")
    #expect(result.stderr.contains("mask 'inputs/hero-mask.png' is 512x512 but the first image"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent("outputs/hero").path))
}

@Test func aTargetedBuildKeepsTheRestOfTheManifest() async throws {
    let project = try KilnProcess.exampleProject()
    defer { try? FileManager.default.removeItem(at: project) }
    #expect(try await KilnProcess.run(["build"], in: project).status == 0)
    let hero = try await KilnProcess.run(["build", "hero"], in: project)
    #expect(hero.status == 0, "\(hero.stderr)")
    let data = try Data(contentsOf: project.appendingPathComponent("outputs/manifest.json"))
    let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let paths = (manifest["files"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    #expect(paths.count == 54, "the stickers, posters and icons built before are still listed")
    #expect(paths.contains("stickers/corgi-happy.png") && paths.contains("hero/hero.png"))
}
