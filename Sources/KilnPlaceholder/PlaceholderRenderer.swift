import Foundation
import KilnCore
import KilnImaging

/// Draws one placeholder image. Everything it draws comes from the request (prompt hash, step id,
/// index), never from clocks or randomness, and it is encoded with metadata stripped.
struct PlaceholderRenderer {
    let request: ImageRequest
    let width: Int
    let height: Int
    let index: Int
    let count: Int

    /// The font every placeholder uses; a fixed family keeps output stable across runs.
    static let fontFamily = "DejaVu Sans"
    /// The colour the mask's editable region is tinted and outlined in.
    static let maskColour = RGBAColor(red: 255, green: 0, blue: 170)

    var transparent: Bool { request.parameters.background == .transparent }
    var fontSize: Int { max(6, min(width, height) / 14) }

    /// The candidate this image is for, when the request says (`ImageRequest.candidates`).
    var candidate: ImageRequest.Candidate? {
        request.candidates.indices.contains(index) ? request.candidates[index] : nil
    }

    /// What the colour is drawn from: the prompt, and what sets this image apart from the others
    /// of its step (its index among `n`, or its candidate's number and re-roll salt, so a
    /// candidate looks the same whether it was asked for alone or with the others, and a re-roll
    /// looks different).
    var colourSeed: String {
        if let candidate {
            guard candidate.number > 1 || candidate.reroll != nil else { return request.prompt }
            return "\(request.prompt)\n#candidate\(candidate.number)" + (candidate.reroll.map { "\n\($0)" } ?? "")
        }
        return index == 0 ? request.prompt : "\(request.prompt)\n#\(index)"
    }

    /// The card colour: mid-tone RGB from the SHA-256 of `colourSeed`.
    var cardColour: RGBAColor {
        let hex = Array(Digest.sha256(colourSeed).utf8)
        func channel(_ i: Int) -> UInt8 {
            let byte = UInt8(String(decoding: hex[(2 * i)...(2 * i + 1)], as: UTF8.self), radix: 16) ?? 0
            return UInt8(48 + Int(byte) * 150 / 255)
        }
        return RGBAColor(red: channel(0), green: channel(1), blue: channel(2))
    }

    /// Black or white, whichever reads better on `colour`.
    static func ink(on colour: RGBAColor) -> RGBAColor {
        let luma = 0.299 * Double(colour.red) + 0.587 * Double(colour.green) + 0.114 * Double(colour.blue)
        return luma > 140 ? RGBAColor(red: 20, green: 20, blue: 20) : RGBAColor(red: 250, green: 250, blue: 250)
    }

    /// The prompt's first words, enough for a person to recognise the step.
    var promptExcerpt: String {
        let words = request.prompt.split(whereSeparator: \.isWhitespace)
        return words.prefix(12).joined(separator: " ") + (words.count > 12 ? " …" : "")
    }

    var label: String {
        let kind = request.kind == .edit ? "edit" : "placeholder"
        if let candidate { return "\(kind), candidate \(candidate.number)" }
        return count > 1 ? "\(kind) \(index + 1)/\(count)" : kind
    }

    func render() throws -> Data {
        var image = request.kind == .edit && !request.images.isEmpty ? try editImage() : try card()
        if !transparent || !request.parameters.format.supportsAlpha {
            image = try image.flattened(onto: .white)
        }
        let quality = request.parameters.compression.map { max(1, $0) }
        return try image.encoded(as: request.parameters.format, quality: quality, strip: true)
    }

    /// A card of the prompt's colour with the step id, label and prompt excerpt; on a transparent
    /// canvas the card is inset so its surroundings have alpha 0.
    private func card() throws -> VipsImage {
        let colour = cardColour
        let margin = transparent ? max(1, min(width, height) / 10) : 0
        let cardW = max(1, width - 2 * margin), cardH = max(1, height - 2 * margin)
        var image = try VipsImage(width: width, height: height, colour: transparent ? .transparent : colour, alpha: true)
        if transparent {
            image = try image.compositing(VipsImage(width: cardW, height: cardH, colour: colour, alpha: true),
                                          x: margin, y: margin)
        }
        return try drawText(on: image, x: margin, y: margin, width: cardW, ink: Self.ink(on: colour))
    }

    /// Step id (large), label and prompt excerpt (small), stacked from x,y; text that no font can
    /// render is left out.
    private func drawText(on base: VipsImage, x: Int, y: Int, width: Int, ink: RGBAColor) throws -> VipsImage {
        let pad = max(2, fontSize / 2)
        let textWidth = max(1, width - 2 * pad)
        let lines: [(String, String)] = [
            ((candidate?.id ?? request.stepID).description, "\(Self.fontFamily) Bold \(fontSize)"),
            (label, "\(Self.fontFamily) \(max(4, fontSize / 2))"),
            (promptExcerpt, "\(Self.fontFamily) \(max(4, fontSize * 2 / 3))"),
        ]
        var image = base
        var top = y + pad
        for (text, font) in lines {
            guard let layer = VipsImage.text(text, font: font, width: textWidth, colour: ink) else { continue }
            image = try image.compositing(layer, x: x + pad, y: top)
            top += layer.height + pad / 2
        }
        return image
    }
}
