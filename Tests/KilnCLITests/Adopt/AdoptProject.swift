import Foundation
import KilnCore
import KilnTestSupport

/// A small project for `kiln adopt` tests: OpenAI steps (no key is ever set) with sizes small
/// enough for real files — a transparent 64x64 logo with a 16px derive, and an opaque 32x32 badge.
struct AdoptProject {
    static let manifest = """
    version: 1
    defaults: { provider: openai, model: gpt-image-2-2026-04-21, quality: low }
    assets:
      logo:
        prompt: "a round logo"
        size: 64x64
        background: transparent
        output: brand/logo.png
        derive:
          - { resize: 16, format: png, output: brand/logo-16.png }
      badge:
        prompt: "a square badge"
        size: 32x32
        output: brand/badge.png
    """

    let root = TemporaryFolder.make("kiln-adopt")
    /// A file the logo step accepts, and one the badge step accepts.
    let logo = TestPNG.make(width: 64, height: 64, alpha: true, seed: 5)
    let badge = TestPNG.make(width: 32, height: 32, seed: 6)

    init() throws {
        try write(Data(Self.manifest.utf8), to: "pipelines/brand.yaml")
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(at: url(path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url(path))
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    /// `kiln …` in the project, without OPENAI_API_KEY.
    func kiln(_ arguments: [String], environment: [String: String] = [:]) async throws -> KilnProcess.Result {
        try await KilnProcess.run(arguments, in: root, environment: environment)
    }

    /// Every regular file under the project (cache, stat cache, kiln.lock and outputs included)
    /// with its bytes: what "left unchanged byte for byte" compares.
    func snapshot() throws -> [String: Data] {
        var files = [String: Data]()
        let base = root.standardizedFileURL.path
        let enumerator = FileManager.default.enumerator(atPath: base)
        while let item = enumerator?.nextObject() as? String {
            var folder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base + "/" + item, isDirectory: &folder), !folder.boolValue else { continue }
            files[item] = try Data(contentsOf: URL(fileURLWithPath: base + "/" + item))
        }
        return files
    }

    /// The output manifest's entry for `path`.
    func manifestEntry(_ path: String) throws -> [String: Any]? {
        let manifest = try JSONSerialization.jsonObject(with: read("outputs/manifest.json")) as? [String: Any]
        return (manifest?["files"] as? [[String: Any]])?.first { $0["path"] as? String == path }
    }

    /// kiln.lock's entry for a step.
    func lockEntry(_ step: String) throws -> [String: Any]? {
        let lock = try JSONSerialization.jsonObject(with: read("kiln.lock")) as? [String: Any]
        return (lock?["steps"] as? [String: Any])?[step] as? [String: Any]
    }
}
