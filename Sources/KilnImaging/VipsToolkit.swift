import CKilnVips
import Foundation
import KilnCore

/// Kiln's local image work over libvips: inspect, derive, and edit pre-flight.
///
/// Every call hops onto `pool` (by default `ImagingWorkPool.shared`, one thread per core) so the
/// blocking C work never runs on the Swift cooperative pool.
public struct VipsToolkit: ImageToolkit {
    /// Where the C calls run.
    public let pool: ImagingWorkPool

    /// A toolkit running its work on `pool`.
    public init(pool: ImagingWorkPool = .shared) {
        self.pool = pool
    }

    /// Starts libvips once per process; later calls return at once. Throws when libvips cannot start
    /// (a broken install: reinstall libvips-dev). Imaging calls this themselves; calling it early just
    /// surfaces the error sooner.
    public static func initialize() throws {
        if case let .failure(error) = started { throw error }
    }

    private static let started: Result<Void, ImagingError> = {
        // libvips prints its warnings on stderr unless VIPS_WARNING is set when it starts; Kiln
        // turns problems into its own errors instead (a user's explicit setting is kept).
        setenv("VIPS_WARNING", "0", 0)
        guard kiln_vips_init() == 0 else {
            return .failure(ImagingError(.operation, "libvips failed to start: reinstall libvips (apt-get install libvips-dev)",
                                         vipsMessage: VipsImage.takeError()))
        }
        // Every derive input is a different file, so libvips' operation cache would only hold memory.
        kiln_vips_cache_set_max(0, 0)
        return .success(())
    }()

    /// Sets how many threads libvips itself uses inside one operation (its default is the core count).
    /// With many images in flight at once, 1 avoids oversubscribing the cores.
    public static func setOperationConcurrency(_ threads: Int) throws {
        try initialize()
        kiln_vips_set_concurrency(Int32(max(1, threads)))
    }

    /// Describes `data`: its sniffed format, dimensions, bands and alpha. Reads the header only.
    /// Throws `ImagingError` (`.decode`) when it is not a png, jpeg or webp image.
    public func inspect(_ data: Data) async throws -> ImageInfo {
        try await pool.run { try Self.inspectNow(data, name: "image") }
    }

    /// Applies `operations` (crop → resize → pad → background → encode) to one encoded image. The
    /// result has exactly `operations.outputSize(width:height:)` of the input's size.
    /// Throws `ImagingError` for undecodable input, a crop outside the image, or a libvips failure.
    public func derive(_ data: Data, _ operations: DeriveOperations) async throws -> Data {
        try await pool.run { try Self.deriveNow(data, operations) }
    }

    /// Checks an edit's inputs before anything is paid for (see `EditPreflight`). Throws
    /// `ImagingError` (`.preflight`) naming the offending file and the fix.
    public func preflightEdit(images: [InputImage], mask: InputImage?) async throws {
        try await pool.run { try EditPreflight.check(images: images, mask: mask) }
    }

    /// Re-encodes `data` as `format` with the given quality, flattening onto `background` (or white)
    /// when the format has no alpha. Metadata is stripped.
    public func encode(_ data: Data, as format: ImageFormat, quality: Int? = nil,
                       background: RGBAColor? = nil) async throws -> Data {
        try await derive(data, DeriveOperations(background: background, format: format, quality: quality))
    }

    /// `inspect`, after decoding every pixel: libvips reads damaged data (a truncated scan, bad
    /// compressed data) as an error, which a header read would not see. For a file about to stand
    /// as a provider's answer (`kiln adopt`), where a picture of garbage must not pass.
    /// Throws `ImagingError` (`.decode`).
    public func inspectWhole(_ data: Data) async throws -> ImageInfo {
        try await pool.run {
            let info = try Self.inspectNow(data, name: "the image")
            _ = try VipsImage(decoding: data, name: "the image", sequential: true).materialized()
            return info
        }
    }

    /// `inspect` without the hop, for code already on an imaging thread.
    package static func inspectNow(_ data: Data, name: String) throws -> ImageInfo {
        let image = try VipsImage(decoding: data, name: name)
        guard let format = ImageFormat(sniffing: data) else {
            throw ImagingError(.decode, "\(name) is not a png, jpeg or webp image")
        }
        // The size it shows at, as a derive sees it (a sideways-stored photo is turned upright).
        let size = image.shownSize
        return ImageInfo(format: format, width: size.width, height: size.height, bands: image.bands,
                         hasAlpha: image.hasAlpha)
    }
}
