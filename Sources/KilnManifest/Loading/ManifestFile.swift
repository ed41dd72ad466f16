import Foundation
import KilnCore

/// Reads a manifest file's bytes, saying in plain words why it cannot be read (rather than
/// Foundation's wording, which names its own error domains).
enum ManifestFile {
    static func read(_ url: URL, displayPath: String) throws(DiagnosticsError) -> [UInt8] {
        func failure(_ reason: String) -> DiagnosticsError {
            DiagnosticsError([.error("cannot read '\(displayPath)': \(reason)", at: nil)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw failure("no such file")
        }
        if isDirectory.boolValue { throw failure("it is a folder, not a file") }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw failure("permission denied")
        }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw failure("the file could not be read (is it a special file, or on a disk that failed?)")
        }
    }
}
