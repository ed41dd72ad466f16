/// The image encodings Kiln reads and writes (the Images API's `output_format` values).
public enum ImageFormat: String, Sendable, Codable, CaseIterable, Hashable {
    case png, jpeg, webp

    /// The file extension Kiln writes.
    public var fileExtension: String {
        switch self {
        case .png: "png"
        case .jpeg: "jpg"
        case .webp: "webp"
        }
    }

    public var mimeType: String { "image/\(rawValue)" }

    /// Whether the encoding can carry an alpha channel.
    public var supportsAlpha: Bool { self != .jpeg }

    /// The format a path's extension names (`.jpg` and `.jpeg` are both jpeg), case-insensitively.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        case "webp": self = .webp
        default: return nil
        }
    }

    /// The format the leading bytes say a file is, whatever its name claims.
    @inlinable
    public init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if head.count >= 12, head[0..<4].elementsEqual(Array("RIFF".utf8)),
                  head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            self = .webp
        } else {
            return nil
        }
    }
}
