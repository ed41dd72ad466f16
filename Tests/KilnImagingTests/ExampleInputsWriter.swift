import Foundation
import KilnCore
@testable import KilnImaging
import Testing

/// Writes pipelines/inputs/{product,hero-mask,logo}.png. Off by default; run with
/// `KILN_WRITE_INPUTS=1 swift test --filter ExampleInputsWriter` (see pipelines/inputs/README.md).
@Suite struct ExampleInputsWriter {
    static let enabled = ProcessInfo.processInfo.environment["KILN_WRITE_INPUTS"] != nil
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("pipelines/inputs")

    /// A filled rounded rectangle: centre, half-size, corner radius, colour.
    struct Shape {
        var cx: Double, cy: Double, hw: Double, hh: Double, radius: Double
        var colour: (UInt8, UInt8, UInt8)

        func contains(_ x: Double, _ y: Double) -> Bool {
            let dx = max(abs(x - cx) - (hw - radius), 0), dy = max(abs(y - cy) - (hh - radius), 0)
            return dx * dx + dy * dy <= radius * radius
        }
    }

    /// A bottle: body, label band, neck, cap (later shapes paint over earlier ones).
    static let bottle = [
        Shape(cx: 512, cy: 620, hw: 190, hh: 300, radius: 70, colour: (28, 132, 140)),
        Shape(cx: 512, cy: 640, hw: 190, hh: 90, radius: 0, colour: (244, 234, 210)),
        Shape(cx: 512, cy: 640, hw: 120, hh: 22, radius: 10, colour: (200, 80, 50)),
        Shape(cx: 512, cy: 280, hw: 70, hh: 80, radius: 20, colour: (28, 132, 140)),
        Shape(cx: 512, cy: 200, hw: 86, hh: 40, radius: 12, colour: (40, 40, 52)),
    ]

    /// RGBA pixels of `shapes` on transparency, 2×2 supersampled for smooth edges.
    static func render(_ shapes: [Shape], size: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: size * size * 4)
        let offsets = [0.25, 0.75]
        for y in 0..<size {
            for x in 0..<size {
                var sum = (0, 0, 0), hits = 0
                for oy in offsets { for ox in offsets {
                    guard let shape = shapes.last(where: { $0.contains(Double(x) + ox, Double(y) + oy) }) else { continue }
                    sum.0 += Int(shape.colour.0); sum.1 += Int(shape.colour.1); sum.2 += Int(shape.colour.2)
                    hits += 1
                } }
                guard hits > 0 else { continue }
                let i = (y * size + x) * 4
                pixels[i] = UInt8(sum.0 / hits); pixels[i + 1] = UInt8(sum.1 / hits); pixels[i + 2] = UInt8(sum.2 / hits)
                pixels[i + 3] = UInt8(hits * 255 / 4)
            }
        }
        return pixels
    }

    @Test(.enabled(if: enabled)) func writeProductAndMask() throws {
        let product = Self.render(Self.bottle, size: 1024)
        try VipsImage(pixels: product, width: 1024, height: 1024, bands: 4).encoded(as: .png)
            .write(to: Self.directory.appendingPathComponent("product.png"))
        // The mask keeps the bottle (alpha 255) and lets the edit paint everything else (alpha 0).
        let outline = Self.bottle.map { Shape(cx: $0.cx, cy: $0.cy, hw: $0.hw + 6, hh: $0.hh + 6, radius: $0.radius + 6,
                                               colour: (0, 0, 0)) }
        let mask = Self.render(outline, size: 1024)
        try VipsImage(pixels: mask, width: 1024, height: 1024, bands: 4).encoded(as: .png)
            .write(to: Self.directory.appendingPathComponent("hero-mask.png"))
    }

    @Test(.enabled(if: enabled)) func writeLogo() throws {
        let disc = [Shape(cx: 256, cy: 256, hw: 230, hh: 230, radius: 230, colour: (232, 110, 40)),
                    Shape(cx: 256, cy: 256, hw: 200, hh: 200, radius: 200, colour: (250, 244, 232))]
        var logo = try VipsImage(pixels: Self.render(disc, size: 512), width: 512, height: 512, bands: 4)
        if let letter = VipsImage.text("K", font: "DejaVu Sans Bold 250", width: 400, colour: RGBAColor(red: 232, green: 110, blue: 40)) {
            logo = try logo.compositing(letter, x: (512 - letter.width) / 2, y: (512 - letter.height) / 2)
        }
        try logo.encoded(as: .png).write(to: Self.directory.appendingPathComponent("logo.png"))
    }
}
