import ArgumentParser
import Foundation
import KilnCore

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the gallery of the last build (outputs/index.html) and, with --open, open it.",
        discussion: """
        Every build writes the gallery; this writes it again from outputs/manifest.json without building: one static page (no server, nothing loaded from elsewhere) with a thumbnail of every image, its prompt, parameters, model, cost, request id, when it was made and what it was made from, each marked new, changed (with the image before beside it) or unchanged since the build before. Thumbnails are kept in the cache, so a second report makes none. Exit status 0, 2 when there is no output manifest to show.

        Examples:
          kiln report --open
          kiln report --out dist
        """)

    @OptionGroup var project: ProjectArguments

    @Option(help: "The output manifest to show (default <out>/manifest.json).")
    var manifest: String?

    @Flag(help: "Open the page in the default browser (xdg-open, or open on macOS).")
    var open = false

    func run() async throws {
        let workspace = Workspace()
        let files: ProjectFiles
        do {
            files = try ProjectFiles(workspace: workspace, outputDirectory: project.out, cacheDirectory: project.cacheDir)
        } catch {
            Console.err("error: \(error)")
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
        let manifestURL = manifest.map(workspace.url) ?? files.outputDirectory.appendingPathComponent(ReservedOutputs.manifest)
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            Console.err("error: no output manifest at \(manifestURL.path): run `kiln build` first")
            throw ExitCode(ExitStatus.invalid.rawValue)
        }
        // Lineage comes from the plan; a project whose manifests do not plan still gets its page.
        let plan = Frontend(workspace: workspace).plan([], provider: nil, outputDirectory: files.outputDirectory).plan
        if plan == nil { Console.err("note: the manifests in pipelines/ do not plan, so the page shows no lineage (`kiln validate` says why)") }
        let session = GallerySession(project: files, manifest: manifestURL)
        guard await session.write(plan: plan) != nil else { throw ExitCode(ExitStatus.buildFailed.rawValue) }
        Console.out(session.writer.pageURL.path + "\n")
        if open { Self.open(session.writer.pageURL) }
    }

    static func open(_ url: URL) {
        #if os(macOS)
        let tool = "/usr/bin/open"
        #else
        let tool = "/usr/bin/xdg-open"
        #endif
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            Console.err("note: \(tool) is not here; open \(url.absoluteString) in a browser")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [url.absoluteString]
        try? process.run()
    }
}
