import Foundation
import Logging

/// Collects every log message, metadata value and error, so a test can search them for secrets.
public final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    public init() {}

    public var text: String { lock.withLock { lines.joined(separator: "\n") } }

    public func append(_ line: String) { lock.withLock { lines.append(line) } }

    /// A logger at `trace` whose every line lands here.
    public var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }
}

/// The `LogHandler` behind `LogCapture.logger`.
public struct CapturingHandler: LogHandler {
    let capture: LogCapture
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
    }
}
