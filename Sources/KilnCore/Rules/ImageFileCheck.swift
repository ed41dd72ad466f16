import Foundation

/// What a manifest's input image file is, found without an image library: its format, size and
/// whether it has alpha, after walking the whole file's structure (PNG chunks and their checksums,
/// JPEG segments up to the end-of-image marker, WebP's RIFF chunks). Planning uses it so a missing,
/// empty, truncated or foreign file is refused before anything is paid for, with a message that
/// says what the file is and what to do. (`ImageInfo` is what a decode finds; this is what the
/// file's structure says, with its byte count, before anything is decoded.)
public struct ImageFacts: Hashable, Sendable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var hasAlpha: Bool
    public var byteCount: Int

    public init(format: ImageFormat, width: Int, height: Int, hasAlpha: Bool, byteCount: Int) {
        self.format = format
        self.width = width
        self.height = height
        self.hasAlpha = hasAlpha
        self.byteCount = byteCount
    }
}

public enum ImageFileCheck {
    /// Reads and checks the file at `path`. The error says what is wrong in words for a person
    /// ("is a folder", "is empty", "is truncated", "is a GIF image"), without the path: the caller
    /// names the file as the manifest wrote it.
    public static func inspect(path: String) -> Result<ImageFacts, ImageFileProblem> {
        inspect(path: path) { _ in }
    }

    /// `inspect(path:)`, handing the bytes it read to `read` as well (`kiln adopt` keeps them).
    public static func inspect(path: String, read: (Data) -> Void) -> Result<ImageFacts, ImageFileProblem> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ELOOP { return .failure(.init("is a symbolic link that loops")) }
            if code == EACCES { return .failure(.init("cannot be read: permission denied")) }
            return .failure(.init(code == ENOENT || code == ENOTDIR ? "does not exist" : "cannot be read: \(SystemErrorText.words(errno: code))",
                                  missing: code == ENOENT || code == ENOTDIR))
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .failure(.init("is a folder, not an image file"))
        case S_IFREG: break
        default: return .failure(.init("is not a regular file (a device, pipe or socket)"))
        }
        guard info.st_size > 0 else { return .failure(.init("is empty (0 bytes)")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(.init("cannot be read: \(SystemErrorText.words(errno: errno))"))
        }
        read(data)
        return inspect(data)
    }

    /// `inspect(path:)` and the file's SHA-256, from one read of the file.
    public static func inspectAndHash(path: String) -> Result<(digest: String, facts: ImageFacts), ImageFileProblem> {
        var data = Data()
        let checked = inspect(path: path) { data = $0 }
        return checked.map { (Digest.sha256(data), $0) }
    }

    /// Checks image bytes (see `inspect(path:)`).
    public static func inspect(_ data: Data) -> Result<ImageFacts, ImageFileProblem> {
        let bytes = [UInt8](data)
        guard let format = ImageFormat(sniffing: bytes) else {
            return .failure(.init(foreignDescription(bytes)))
        }
        let walked: Result<(width: Int, height: Int, alpha: Bool), ImageFileProblem>
        switch format {
        case .png: walked = ImageStructure.png(bytes)
        case .jpeg: walked = ImageStructure.jpeg(bytes)
        case .webp: walked = ImageStructure.webp(bytes)
        }
        return walked.flatMap { found in
            guard found.width > 0, found.height > 0 else {
                return .failure(.init("says it is \(found.width)x\(found.height) pixels: the file is damaged"))
            }
            guard found.width <= ImageLimits.maxSide, found.height <= ImageLimits.maxSide else {
                return .failure(.init("says it is \(found.width)x\(found.height) pixels; Kiln reads images up to \(ImageLimits.maxSide.thousandsGrouped) on a side: downscale it"))
            }
            return .success(ImageFacts(format: format, width: found.width, height: found.height,
                                       hasAlpha: found.alpha, byteCount: bytes.count))
        }
    }

    /// What a file that is not PNG, JPEG or WebP looks like, for the message.
    static func foreignDescription(_ bytes: [UInt8]) -> String {
        let fix = ": the Images API takes PNG, JPEG or WebP; convert it"
        func starts(_ text: String) -> Bool { bytes.starts(with: Array(text.utf8)) }
        if starts("GIF87a") || starts("GIF89a") { return "is a GIF image" + fix }
        if starts("BM") && bytes.count > 14 { return "is a BMP image" + fix }
        if starts("II*\0") || starts("MM\0*") { return "is a TIFF image" + fix }
        if bytes.count >= 12, bytes[4..<8].elementsEqual(Array("ftyp".utf8)) {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            return (["heic", "heix", "mif1", "msf1", "avif"].contains(brand) ? "is a HEIF/AVIF image" : "is a video or ISO media file") + fix
        }
        let head = String(decoding: bytes.prefix(256), as: UTF8.self).lowercased()
        if head.contains("<svg") { return "is an SVG drawing" + fix + " (render it to PNG first)" }
        if bytes.prefix(512).allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) }) {
            return "is text, not an image" + fix.replacingOccurrences(of: "; convert it", with: "")
        }
        return "is not a PNG, JPEG or WebP image (judged by its bytes, not its name)" + fix
    }
}

/// Why an input file cannot be used, in words that follow the file's name.
public struct ImageFileProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The file does not exist (as opposed to existing and being unusable).
    public var missing: Bool

    public init(_ message: String, missing: Bool = false) {
        self.message = message
        self.missing = missing
    }

    public var description: String { message }
}
