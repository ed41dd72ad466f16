import Foundation

/// What a decoded image is.
public struct ImageInfo: Hashable, Sendable, Codable {
    public var format: ImageFormat
    public var width: Int
    public var height: Int
    public var bands: Int
    public var hasAlpha: Bool

    public init(format: ImageFormat, width: Int, height: Int, bands: Int, hasAlpha: Bool) {
        self.format = format
        self.width = width
        self.height = height
        self.bands = bands
        self.hasAlpha = hasAlpha
    }
}

/// Local image work the engine needs; implemented over libvips by `KilnImaging`.
/// Implementations run their C calls off the cooperative thread pool.
public protocol ImageToolkit: Sendable {
    /// Decodes enough of `data` to describe it. Throws when it is not a png, jpeg or webp image.
    func inspect(_ data: Data) async throws -> ImageInfo
    /// Applies `operations` to one encoded image and returns the encoded result.
    func derive(_ data: Data, _ operations: DeriveOperations) async throws -> Data
    /// Checks an edit's inputs before anything is paid: formats, sizes, count, mask alpha and
    /// dimensions. Throws an error naming the offending file.
    func preflightEdit(images: [InputImage], mask: InputImage?) async throws
}
