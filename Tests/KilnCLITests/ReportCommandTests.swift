import Foundation
import KilnCore
import KilnImaging
import Testing

/// `kiln report` as a person runs it: the page again without building, and the contact sheet.
@Suite struct ReportCommandTests {
    func project() async throws -> URL {
        let root = try KilnProcess.exampleProject()
        let built = try await KilnProcess.run(["build", "--provider", "placeholder", "icons"], in: root)
        try #require(built.status == 0, "\(built.stderr)")
        // One prompt changed: the app icon and its six sizes change.
        let manifest = root.appendingPathComponent("pipelines/icons.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "brand orange\"\n", with: "brand orange, soft shadow\"\n")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let again = try await KilnProcess.run(["build", "--provider", "placeholder", "icons"], in: root)
        try #require(again.status == 0 && again.stderr.contains("7 changed"), "\(again.stderr)")
        return root
    }

    @Test func aContactSheetOfTheChangedImagesIsOnePNGGrid() async throws {
        let root = try await project()
        defer { try? FileManager.default.removeItem(at: root) }
        let page = root.appendingPathComponent("outputs/index.html")
        try FileManager.default.removeItem(at: page)
        let report = try await KilnProcess.run(["report", "--contact-sheet", "review/changes.png", "--changed", "--columns", "3"], in: root)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: page.path), "report writes the page again")
        #expect(report.stderr.contains("contact sheet: ") && report.stderr.contains("7 image(s)"), "\(report.stderr)")
        let png = try Data(contentsOf: root.appendingPathComponent("review/changes.png"))
        try VipsToolkit.initialize()
        let info = try await VipsToolkit().inspect(png)
        let size = ContactSheet.size(cells: 7, columns: 3)
        #expect(info.format == .png && (info.width, info.height) == (size.width, size.height))

        let all = try await KilnProcess.run(["report", "--contact-sheet", "all.png"], in: root)
        #expect(all.status == 0 && all.stderr.contains("image(s)"), "\(all.stderr)")
        let whole = try await VipsToolkit().inspect(try Data(contentsOf: root.appendingPathComponent("all.png")))
        #expect(whole.height > info.height, "every image is on the sheet without --changed")
    }

    @Test(arguments: [
        (["report", "--changed"], "--changed applies to --contact-sheet"),
        (["report", "--contact-sheet", "s.jpg"], "writes a PNG"),
        (["report", "--contact-sheet", "s.png", "--columns", "0"], "--columns must be 1–20"),
    ])
    func badArgumentsExitTwoAndWriteNothing(_ arguments: [String], _ message: String) async throws {
        let root = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await KilnProcess.run(arguments, in: root)
        #expect(result.status == 2 && result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("outputs").path))
    }

    @Test func withoutABuildThereIsNothingToReport() async throws {
        let root = try KilnProcess.exampleProject()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try await KilnProcess.run(["report"], in: root)
        #expect(result.status == 2 && result.stderr.contains("run `kiln build` first"), "\(result.stderr)")
    }
}
