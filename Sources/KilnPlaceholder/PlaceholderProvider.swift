import Foundation
import KilnCore
import KilnImaging

/// Kiln's offline provider: deterministic images rendered locally with libvips, so pipelines build
/// without a key or network and placeholders can never pass for real images (the provider name is
/// part of every cache key and output manifest entry).
///
/// Rules: `size` auto is 1024x1024 for a generate and the first input's size for an edit; `n` images
/// differ from each other; jpeg/webp honour `compression` as encoder quality; `background:
/// transparent` puts the card on alpha 0 (and is refused for jpeg, as the Images API refuses it).
/// The same request gives byte-identical images on every run with the same libvips and fonts.
public struct PlaceholderProvider: ImageProvider {
    /// Recorded in cache keys and output manifests, so placeholder images never pass for real ones.
    public let name = "placeholder"
    /// Where the rendering runs (off the cooperative pool); shared with imaging by default.
    public let pool: ImagingWorkPool

    /// The largest side the placeholder renders, to keep a typo from allocating gigabytes.
    public static let maxSide = 4096

    public init(pool: ImagingWorkPool = .shared) {
        self.pool = pool
    }

    /// As the model allows on the real service, so a placeholder build makes the same requests.
    public func maxImagesPerRequest(model: String) -> Int {
        ModelCatalog.info(model)?.maxImagesPerRequest ?? 1
    }

    /// Renders `request.parameters.n` images. Throws `ProviderError` (`.invalidRequest`) for
    /// parameters the real service would refuse or edit inputs that fail pre-flight.
    public func run(_ request: ImageRequest) async throws -> ProviderResponse {
        let parameters = request.parameters
        let transparent = parameters.background == .transparent
        guard (1...10).contains(parameters.n) else {
            throw ProviderError(.invalidRequest, "step \(request.stepID): n must be 1–10, not \(parameters.n)")
        }
        if transparent && !parameters.format.supportsAlpha {
            throw ProviderError(.invalidRequest, "step \(request.stepID): background transparent needs png or webp "
                + "output (jpeg has no alpha): set format to png or webp")
        }
        let images = try await pool.run { try Self.render(request) }
        let size = images.size
        return ProviderResponse(images: images.data, usage: nil, requestID: nil, resolved: [
            "size": "\(size.width)x\(size.height)",
            "quality": parameters.quality.flatMap { $0 == .auto ? nil : $0.rawValue } ?? "medium",
            "background": transparent ? "transparent" : "opaque",
            "output_format": parameters.format.rawValue,
        ])
    }

    /// Validates, picks the size and renders every image; runs on an imaging thread.
    private static func render(_ request: ImageRequest) throws -> (data: [Data], size: (width: Int, height: Int)) {
        if request.kind == .edit || !request.images.isEmpty {
            do {
                try EditPreflight.check(images: request.images, mask: request.mask)
            } catch let error as ImagingError {
                throw ProviderError(.invalidRequest, "step \(request.stepID): \(error)")
            }
        }
        let size: (width: Int, height: Int)
        switch request.parameters.size {
        case let .fixed(width, height)?: size = (width, height)
        case .auto?, nil:
            if let first = request.images.first {
                let info = try VipsToolkit.inspectNow(first.data, name: first.name)
                size = (info.width, info.height)
            } else {
                size = (1024, 1024)
            }
        }
        guard (1...maxSide).contains(size.width), (1...maxSide).contains(size.height) else {
            throw ProviderError(.invalidRequest, "step \(request.stepID): size \(size.width)x\(size.height) is outside "
                + "what the placeholder renders (1–\(maxSide) per side): pick a smaller size")
        }
        let count = request.parameters.n
        let data = try (0..<count).map { index in
            try PlaceholderRenderer(request: request, width: size.width, height: size.height,
                                    index: index, count: count).render()
        }
        return (data, size)
    }
}
