import Foundation
import KilnCore

/// Where commands write: results on stdout, diagnostics and notices on stderr.
public enum Console {
    public static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    public static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes `text` to stderr as it is (status lines repaint with `\r`).
    public static func errRaw(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints each diagnostic once, in source order, on stderr.
    public static func report(_ diagnostics: [Diagnostic]) {
        guard !diagnostics.isEmpty else { return }
        err(diagnostics.sortedBySource().map(\.description).joined(separator: "\n"))
    }

    /// Whether stderr is a terminal (live status line) or not (CI: plain lines).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }
}
