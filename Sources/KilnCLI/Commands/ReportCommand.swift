import ArgumentParser
import Foundation
import KilnCore
import KilnGallery
import KilnImaging

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the gallery of the last build (outputs/index.html) and, with --open, open it.",
        discussion: """
        Every build writes the gallery; this writes it again from outputs/manifest.json without building: one static page (no server, nothing loaded from elsewhere) with a thumbnail of every image, its prompt, parameters, model, cost, request id, when it was made and what it was made from, each marked new, changed (with the image before beside it) or unchanged since the build before. Thumbnails are kept in the cache, so a second report makes none. Exit status 0, 2 when there is no output manifest to show.

        --contact-sheet FILE.png also writes one PNG grid of the thumbnails with their labels, for a pull-request comment in CI (docs/ci.md); --changed puts only the new and changed images on it.

        Examples:
          kiln report --open
          kiln report --out dist
          kiln report --contact-sheet changes.png --changed
        """)

    @OptionGroup var project: ProjectArguments

    @Option(help: "The output manifest to show (default <out>/manifest.json).")
    var manifest: String?

    @Flag(help: "Open the page in the default browser (xdg-open, or open on macOS).")
    var open = false

    @Option(help: ArgumentHelp("Also write a PNG grid of the thumbnails with their labels here.", valueName: "file.png"))
    var contactSheet: String?

    @Flag(help: "With --contact-sheet: only the images new or changed since the build before.")
    var changed = false

    @Option(help: "With --contact-sheet: images per row (1–20, default 6).")
    var columns = 6

    func validate() throws {
        if changed && contactSheet == nil { throw ValidationError("--changed applies to --contact-sheet: add --contact-sheet FILE.png") }
        guard (1...20).contains(columns) else { throw ValidationError("--columns must be 1–20, not \(columns)") }
        if let contactSheet, !contactSheet.lowercased().hasSuffix(".png") {
            throw ValidationError("--contact-sheet writes a PNG: give a path ending in .png, not '\(contactSheet)'")
        }
    }

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
        let state = files.state
        let plan = Frontend(workspace: workspace).plan([], provider: nil, outputDirectory: files.outputDirectory,
                                                       fileDigest: files.fileDigest,
                                                       inputFile: { state.inputFile($0) }).plan
        if plan == nil { Console.err("note: the manifests in pipelines/ do not plan, so the page shows no lineage (`kiln validate` says why)") }
        let session = GallerySession(project: files, manifest: manifestURL)
        guard let summary = await session.write(plan: plan) else { throw ExitCode(ExitStatus.buildFailed.rawValue) }
        Console.out(session.writer.pageURL.path + "\n")
        if let contactSheet {
            try await writeContactSheet(summary.cells, to: workspace.url(contactSheet))
        }
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

    /// The sheet of `cells` (the changed ones with `--changed`); says how many it shows.
    func writeContactSheet(_ cells: [GalleryWriter.Cell], to url: URL) async throws {
        let chosen = cells.filter { !changed || $0.changed }
        guard !chosen.isEmpty else {
            Console.err("contact sheet: nothing \(changed ? "changed since the build before" : "to show"), so none was written")
            return
        }
        let shown = chosen.prefix(ContactSheet.maximumCells)
        var sheetCells = [ContactSheet.Cell]()
        for cell in shown {
            guard let thumbnail = cell.thumbnail, let data = FileManager.default.contents(atPath: thumbnail.path) else { continue }
            sheetCells.append(ContactSheet.Cell(image: data, label: cell.label))
        }
        do {
            let png = try await ContactSheet.render(sheetCells, columns: columns)
            try AtomicFile.write(png, to: url)
        } catch {
            Console.err("error: the contact sheet was not written: \(error)")
            throw ExitCode(ExitStatus.buildFailed.rawValue)
        }
        var line = "contact sheet: \(url.path) — \(sheetCells.count) image(s)"
        if chosen.count > shown.count { line += "; the first \(shown.count) of \(chosen.count) (a sheet holds at most \(ContactSheet.maximumCells))" }
        if sheetCells.count < shown.count { line += "; \(shown.count - sheetCells.count) without a thumbnail left out" }
        Console.err(line)
    }
}
