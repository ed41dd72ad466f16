import Foundation
import KilnCore
import KilnTestSupport

/// A small project for candidate tests: an icon with 3 candidates and a derive made from it, and a
/// badge without candidates. Small sizes (gpt-image-2 takes 64x64) keep placeholder builds fast.
struct CandidateProject {
    static func manifest(candidates: Int? = 3, provider: String? = nil) -> String {
        """
        version: 1
        defaults: { model: gpt-image-2-2026-04-21, size: 64x64, quality: low\(provider.map { ", provider: \($0)" } ?? "") }
        assets:
          app:
            prompt: "a round app icon"
            output: icons/app.png
            derive:
              - { resize: 16, output: icons/app-16.png }
        \(candidates.map { "    candidates: \($0)\n" } ?? "")  badge:
            prompt: "a square badge"
            output: icons/badge.png
        """
    }

    let root = TemporaryFolder.make("kiln-candidates")

    init(manifest: String = CandidateProject.manifest()) throws {
        try write(manifest)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    func write(_ manifest: String) throws {
        try FileManager.default.createDirectory(at: url("pipelines"), withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: url("pipelines/icons.yaml"))
    }

    func read(_ path: String) throws -> Data { try Data(contentsOf: url(path)) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    var lockText: String { (try? String(contentsOf: url("kiln.lock"), encoding: .utf8)) ?? "" }

    /// `kiln …` in the project, without OPENAI_API_KEY.
    func kiln(_ arguments: [String], environment: [String: String] = [:]) async throws -> KilnProcess.Result {
        try await KilnProcess.run(arguments, in: root, environment: environment)
    }

    /// kiln.lock's entry for a step.
    func lockEntry(_ step: String) throws -> [String: Any]? {
        let lock = try JSONSerialization.jsonObject(with: read("kiln.lock")) as? [String: Any]
        return (lock?["steps"] as? [String: Any])?[step] as? [String: Any]
    }

    /// The gallery's items (`outputs/index.html`'s data block).
    func galleryItems() throws -> [[String: Any]] {
        let html = try String(contentsOf: url("outputs/index.html"), encoding: .utf8)
        guard let open = html.range(of: "<script id=\"kiln-data\" type=\"application/json\">"),
              let close = html.range(of: "</script>", range: open.upperBound..<html.endIndex) else { return [] }
        let json = Data(html[open.upperBound..<close.lowerBound].utf8)
        let data = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        return data?["items"] as? [[String: Any]] ?? []
    }

    /// The `summary` event of `kiln build --json` output.
    static func summary(_ stdout: String) -> [String: Any]? {
        for line in stdout.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["event"] as? String == "summary" else { continue }
            return object["summary"] as? [String: Any]
        }
        return nil
    }

    /// The lines that differ between two texts of the same length, or nil when the counts differ.
    static func changedLines(_ before: String, _ after: String) -> [String]? {
        let a = before.split(separator: "\n", omittingEmptySubsequences: false)
        let b = after.split(separator: "\n", omittingEmptySubsequences: false)
        guard a.count == b.count else { return nil }
        return a.indices.filter { a[$0] != b[$0] }.map { String(b[$0]) }
    }
}
