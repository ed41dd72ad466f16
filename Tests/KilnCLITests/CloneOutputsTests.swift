import Foundation
import KilnCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real XFS file system (reflink on) on a loop device: where clones exist, an output is a
/// copy-on-write clone of the cache's blob — a file of its own whose blocks are shared, written
/// once. Needs root, loop devices and xfsprogs (`make test` installs it when it can); elsewhere
/// the suite is skipped, said in the test's name.
@Suite(.enabled(if: XFSLoop.available, "needs root, /dev/loop-control and mkfs.xfs (xfsprogs)"))
struct CloneOutputsTests {
    @Test func onAFileSystemWithClonesEveryOutputIsACloneOfItsBlob() async throws {
        let volume = try XFSLoop.mount()
        defer { volume.unmount() }
        let project = volume.path.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: KilnProcess.repositoryRoot.appendingPathComponent("pipelines"),
                                         to: project.appendingPathComponent("pipelines"))
        let build = try await KilnProcess.run(["build", "--provider", "placeholder"], in: project)
        #expect(build.status == 0, "\(build.stderr)")

        let outputs = project.appendingPathComponent("outputs")
        let files = (FileManager.default.enumerator(atPath: outputs.path)?.allObjects as? [String] ?? [])
            .filter { ($0.hasSuffix(".png") || $0.hasSuffix(".webp") || $0.hasSuffix(".jpg")) && !ReservedOutputs.isKilns($0) }
        #expect(files.count >= 20, "the example pipelines made \(files.count) images")
        let blobs = project.appendingPathComponent(".kiln/cache/blobs")
        for file in files {
            let path = outputs.appendingPathComponent(file).path
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let digest = XFSLoop.sha256(path)
            let blob = blobs.appendingPathComponent(String(digest.prefix(2))).appendingPathComponent(digest).path
            #expect(try Data(contentsOf: URL(fileURLWithPath: blob)) == data, "\(file): no blob with its bytes")
            var output = stat(), cached = stat()
            #expect(stat(path, &output) == 0 && stat(blob, &cached) == 0)
            #expect(output.st_ino != cached.st_ino && output.st_nlink == 1, "\(file) is the blob itself, not a clone")
            #expect(output.st_mode & 0o777 == 0o644 && cached.st_mode & 0o777 == 0o444)
            #expect(XFSLoop.sharesBlocks(path), "\(file) was written, not cloned: its blocks are not shared")
        }
        let again = try await KilnProcess.run(["build", "--provider", "placeholder"], in: project)
        #expect(again.status == 0 && again.stderr.contains("up to date"), "\(again.stderr)")
    }
}

/// Makes, mounts and removes a small XFS volume with reflink on.
enum XFSLoop {
    struct Failure: Error, CustomStringConvertible { var text: String; var description: String { text } }

    /// Root, loop devices, the tools, and a probe volume that really mounts (a container without
    /// the right to mount skips the suite instead of failing it).
    static let available: Bool = {
        guard geteuid() == 0, FileManager.default.fileExists(atPath: "/dev/loop-control"),
              tool("mkfs.xfs") != nil, tool("xfs_io") != nil, tool("mount") != nil,
              let probe = try? mount() else { return false }
        probe.unmount()
        return true
    }()

    struct Volume {
        let path: URL
        let image: URL
        func unmount() {
            _ = XFSLoop.run("umount", [path.path])
            try? FileManager.default.removeItem(at: path)
            try? FileManager.default.removeItem(at: image)
        }
    }

    static func mount() throws -> Volume {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-xfs-\(UUID().uuidString)")
        let image = base.appendingPathExtension("img"), path = base
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        let volume = Volume(path: path, image: image)
        guard FileManager.default.createFile(atPath: image.path, contents: nil), truncate(image.path, 400 << 20) == 0 else {
            volume.unmount()
            throw Failure(text: "cannot make the image file \(image.path)")
        }
        for (tool, arguments) in [("mkfs.xfs", ["-q", "-m", "reflink=1", image.path]), ("mount", ["-o", "loop", image.path, path.path])] {
            let result = run(tool, arguments)
            guard result.status == 0 else {
                volume.unmount()
                throw Failure(text: "\(tool): \(result.output)")
            }
        }
        return volume
    }

    /// Whether the file's first extent is shared with another file (FIEMAP flag 0x2000, through
    /// `xfs_io -c "fiemap -v"`).
    static func sharesBlocks(_ path: String) -> Bool {
        let result = run("xfs_io", ["-c", "fiemap -v", path])
        let flags = result.output.split(separator: "\n").dropFirst(2).compactMap { $0.split(separator: " ").last }
        return !flags.isEmpty && flags.allSatisfy { UInt32($0.dropFirst(2), radix: 16).map { $0 & 0x2000 != 0 } ?? false }
    }

    static func sha256(_ path: String) -> String {
        String(run("sha256sum", [path]).output.prefix(64))
    }

    static func tool(_ name: String) -> String? {
        ["/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    static func run(_ name: String, _ arguments: [String]) -> (status: Int32, output: String) {
        guard let executable = tool(name) else { return (127, "\(name) not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (126, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
