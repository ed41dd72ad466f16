import Foundation

/// A local image operation failed: what went wrong, the file when there is one, what to do, and
/// libvips' own message when it gave one.
public struct ImagingError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Hashable {
        /// The bytes are not a png, jpeg or webp image, or could not be decoded.
        case decode
        /// A libvips operation (resize, crop, …) failed.
        case operation
        /// Encoding the result failed.
        case encode
        /// An edit's inputs break a rule of the Images API; nothing was sent.
        case preflight
        /// The requested operations make no sense for this image (e.g. a crop outside it).
        case invalidOperation
    }

    public var kind: Kind
    /// What happened and what to do, for the person at the terminal.
    public var message: String
    /// libvips' error text, when the failure came from libvips.
    public var vipsMessage: String?

    public init(_ kind: Kind, _ message: String, vipsMessage: String? = nil) {
        self.kind = kind
        self.message = message
        let trimmed = vipsMessage?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.vipsMessage = trimmed?.isEmpty == false ? trimmed : nil
    }

    public var description: String {
        message + (vipsMessage.map { " (libvips: \($0.replacingOccurrences(of: "\n", with: "; ")))" } ?? "")
    }
}
