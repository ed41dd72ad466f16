import Foundation
import KilnCore
import KilnImaging

extension PlaceholderRenderer {
    /// The first input stretched to the output size, the other inputs as insets along the bottom,
    /// the mask's editable region tinted and outlined, and a caption strip on top.
    func editImage() throws -> VipsImage {
        var image = try VipsImage(decoding: request.images[0].data, name: request.images[0].name).srgb8()
        if (image.width, image.height) != (width, height) {
            image = try image.resized(width: width, height: height)
        }
        image = try image.withAlpha()
        if !transparent { image = try image.flattened(onto: .white).withAlpha() }

        if let mask = request.mask {
            var decoded = try VipsImage(decoding: mask.data, name: mask.name).srgb8()
            if (decoded.width, decoded.height) != (width, height) {
                decoded = try decoded.resized(width: width, height: height)
            }
            image = try image.compositing(decoded.materialized().maskOverlay(colour: Self.maskColour), x: 0, y: 0)
        }

        let side = max(8, min(width, height) / 5), gap = max(2, side / 8)
        for (offset, input) in request.images.dropFirst().enumerated() {
            let x = gap + offset * (side + gap)
            guard x + side + gap <= width else { break }  // insets that do not fit are left out
            let inset = try VipsImage(decoding: input.data, name: input.name).srgb8()
            image = try image.compositing(insetImage(inset, side: side), x: x, y: height - side - gap)
        }
        return try drawCaption(on: image)
    }

    /// `image` scaled to fit a `side`×`side` box on a white frame.
    private func insetImage(_ image: VipsImage, side: Int) throws -> VipsImage {
        let border = max(1, side / 32), inner = max(1, side - 2 * border)
        let scale = min(Double(inner) / Double(image.width), Double(inner) / Double(image.height))
        let w = max(1, Int((Double(image.width) * scale).rounded())), h = max(1, Int((Double(image.height) * scale).rounded()))
        let frame = try VipsImage(width: side, height: side, colour: .white, alpha: true)
        return try frame.compositing(image.resized(width: w, height: h).withAlpha(), x: (side - w) / 2, y: (side - h) / 2)
    }

    /// The step id and prompt excerpt on a dark strip along the top.
    private func drawCaption(on base: VipsImage) throws -> VipsImage {
        let pad = max(2, fontSize / 3)
        let text = "\(request.stepID) · \(label) · \(promptExcerpt)"
        let layer = VipsImage.text(text, font: "\(Self.fontFamily) \(max(4, fontSize / 2))",
                                   width: max(1, width - 2 * pad), colour: .white)
        let stripHeight = min(height, (layer?.height ?? fontSize) + 2 * pad)
        let strip = try VipsImage(width: width, height: stripHeight, colour: RGBAColor(red: 0, green: 0, blue: 0, alpha: 150))
        let image = try base.compositing(strip, x: 0, y: 0)
        guard let layer else { return image }
        return try image.compositing(layer, x: pad, y: pad)
    }
}
