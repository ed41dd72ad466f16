import Foundation

/// Where the real `kiln` binary is: built beside the test bundle, else in `.build/debug`.
public enum KilnBinary {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static var url: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [beside.appendingPathComponent("kiln"),
                          beside.deletingLastPathComponent().appendingPathComponent("kiln"),
                          repositoryRoot.appendingPathComponent(".build/debug/kiln")]
        where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        return repositoryRoot.appendingPathComponent(".build/debug/kiln")
    }
}
