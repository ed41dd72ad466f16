import Foundation
import Logging

/// swift-log lines on stderr through `Console`, so they get the same guards as every other line
/// Kiln prints (secret values redacted, control characters shown): `level label: message key=value`.
struct ConsoleLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
             source: String, file: String, function: String, line: UInt) {
        let merged = metadata.merging(explicit ?? [:]) { _, new in new }
        let pairs = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        Console.err("\(level) \(label): \(message)" + (pairs.isEmpty ? "" : " " + pairs))
    }
}
