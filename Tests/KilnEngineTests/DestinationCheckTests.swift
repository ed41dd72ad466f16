import Foundation
import KilnEngine
import Testing

@Suite struct DestinationCheckTests {
    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-dest-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func foldersThatCanBeMadeAndWrittenPassAndNothingIsLeftBehind() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(DestinationCheck.problems(folders: [root + "/outputs/a/b", root + "/.kiln/cache"]).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).isEmpty, "the check made or left something")
    }

    @Test func aFileInTheWayAndALoopAreNamed() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        FileManager.default.createFile(atPath: root + "/outputs", contents: Data("x".utf8))
        try FileManager.default.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        let problems = DestinationCheck.problems(folders: [root + "/outputs/sea", root + "/loop/x"])
        #expect(problems.contains { $0.contains("\(root)/outputs is a file, but the build needs a folder there") }, "\(problems)")
        #expect(problems.contains { $0.contains("loops") }, "\(problems)")
    }

    @Test func moreBytesThanTheDiskHasIsRefused() throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let problems = DestinationCheck.problems(folders: [root], estimatedBytes: [root: Int.max / 2])
        #expect(problems.count == 1)
        #expect(problems.first?.contains("are free") == true)
        #expect(DestinationCheck.problems(folders: [root], estimatedBytes: [root: 1_000]).isEmpty)
    }
}
