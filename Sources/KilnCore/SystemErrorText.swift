import Foundation

/// Plain words for a file-system error, for messages a person reads: "permission denied", "no
/// space left on device". Foundation's own descriptions on Linux name error domains and codes
/// (`NSCocoaErrorDomain error 4`), which tell a user nothing.
public enum SystemErrorText {
    public static func describe(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return words(errno: posix.code.rawValue) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return words(errno: Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return words(errno: Int32(underlying.code))
        }
        if ns.domain == NSCocoaErrorDomain, let text = cocoa[ns.code] { return text }
        return "the system reported error \(ns.code)"
    }

    /// `strerror(3)`, lower-cased as the rest of a sentence: "no such file or directory".
    public static func words(errno code: Int32) -> String {
        guard let text = strerror(code).map({ String(cString: $0) }), !text.isEmpty else { return "error \(code)" }
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    private static let cocoa: [Int: String] = [
        CocoaError.fileNoSuchFile.rawValue: "no such file or directory",
        CocoaError.fileReadNoSuchFile.rawValue: "no such file or directory",
        CocoaError.fileReadNoPermission.rawValue: "permission denied",
        CocoaError.fileWriteNoPermission.rawValue: "permission denied",
        CocoaError.fileWriteOutOfSpace.rawValue: "no space left on device",
        CocoaError.fileWriteVolumeReadOnly.rawValue: "read-only file system",
        CocoaError.fileWriteFileExists.rawValue: "a file is already there",
        CocoaError.fileReadCorruptFile.rawValue: "the file is damaged or not in the expected format",
        CocoaError.fileReadInapplicableStringEncoding.rawValue: "not UTF-8 text",
        CocoaError.fileReadTooLarge.rawValue: "the file is too large",
        CocoaError.fileLocking.rawValue: "the file is locked",
    ]
}
