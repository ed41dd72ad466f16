import Foundation
import KilnCore
@testable import KilnEngine
import KilnTestSupport
import Testing

/// The byte-level path handling every written file goes through: where it may go, its folder and
/// name, its extension, and making the folders it needs.
@Suite struct OutputPathTests {
    let f: Fixture
    let writer: OutputWriter
    let step = TestSteps.id("g")

    init() throws {
        f = try Fixture()
        writer = OutputWriter(root: f.outputs, toolkit: FakeToolkit(recorder: f.recorder))
    }

    @Test(arguments: ["../x.png", "/etc/x.png", "a/../../x.png", "a//x.png", "a/", "", "..", "a/.."])
    func pathsThatLeaveOrAreNotFilesAreRefused(_ path: String) {
        #expect(throws: EngineError.self) { try writer.destination(path, step: step) }
    }

    @Test(arguments: ["x.png", "a/b/x.png", "héros/étoile ✨.webp", "a/..x.png", "a/.hidden.png"])
    func relativePathsStayUnderTheRoot(_ path: String) throws {
        #expect(try writer.destination(path, step: step) == f.outputs.path + "/" + path)
    }

    @Test func splitTakesTheLastSlash() {
        #expect(AtomicFile.split("a/b/c.png")! == ("a/b", "c.png"))
        #expect(AtomicFile.split("/c.png")! == ("", "c.png"))
        #expect(AtomicFile.split("ü/é́.png")! == ("ü", "é́.png"))
        #expect(AtomicFile.split("c.png") == nil)
    }

    @Test func theExtensionDecidesTheExpectedFormat() async throws {
        let png = TestPNG.make(width: 8, height: 8)
        let any = OutputWriter.Expectation(width: nil, height: nil, alpha: false)
        #expect(try await writer.verify(png, for: "a.b/x.png", step: step, expecting: any).format == .png)
        for path in ["a.png/x", "x.gif"] {
            await #expect(throws: EngineError.self) { try await writer.verify(png, for: path, step: step, expecting: any) }
        }
        await #expect(throws: EngineError.self) { try await writer.verify(png, for: "x.webp", step: step, expecting: any) }
    }

    @Test func foldersAreMadeWithTheirParents() throws {
        let deep = f.root.path + "/one/two/three"
        try AtomicFile.write(Data("x".utf8), toPath: deep + "/file.txt")
        #expect(try String(contentsOfFile: deep + "/file.txt", encoding: .utf8) == "x")
        // A folder made by someone else meanwhile is fine; a file in the way is a clear error.
        try FileManager.default.createDirectory(atPath: f.root.path + "/made", withIntermediateDirectories: false)
        try AtomicFile.ensureDirectory(path: f.root.path + "/made")
        try Data().write(to: URL(fileURLWithPath: f.root.path + "/blocker"))
        #expect {
            try AtomicFile.ensureDirectory(path: f.root.path + "/blocker/inner")
        } throws: { error in
            "\(error)".contains("blocker")
        }
    }
}
