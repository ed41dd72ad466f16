import Foundation
import KilnCore

/// Where commands write: results on stdout, diagnostics and notices on stderr.
public enum Console {
    /// The secret values of this process's environment, never to be printed (see `SecretScreen`).
    static let secrets = SecretScreen(environment: ProcessInfo.processInfo.environment)

    public static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(secrets.redact(text).utf8))
    }

    /// One message for the person: secret values redacted, control characters (a name written
    /// with an escape or NUL) shown as `\u{…}` so a manifest cannot break a line or the terminal.
    public static func err(_ text: String) {
        let line = visible(secrets.redact(text))
        FileHandle.standardError.write(Data((line.hasSuffix("\n") ? line : line + "\n").utf8))
    }

    /// Control characters other than newline and tab, escaped.
    static func visible(_ text: String) -> String {
        PathRules.visible(text, keeping: ["\n", "\t"])
    }

    /// Writes `text` to stderr as it is (status lines repaint with `\r`).
    public static func errRaw(_ text: String) {
        FileHandle.standardError.write(Data(secrets.redact(text).utf8))
    }

    /// Prints each diagnostic once, in source order, on stderr.
    public static func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        err(diagnostics.sortedBySource().map(\.description).joined(separator: "\n"))
    }

    /// Whether stderr is a terminal (live status line) or not (CI: plain lines).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }
}
