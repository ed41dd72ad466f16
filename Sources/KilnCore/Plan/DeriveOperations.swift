/// An sRGB colour with alpha, written `#rgb`, `#rrggbb`, `#rrggbbaa` or a name (`white`, `black`,
/// `transparent`).
public struct RGBAColor: Hashable, Sendable, Codable, CustomStringConvertible {
    public var red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8, alpha: UInt8 = 255) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    public static let white = RGBAColor(red: 255, green: 255, blue: 255)
    public static let black = RGBAColor(red: 0, green: 0, blue: 0)
    public static let transparent = RGBAColor(red: 0, green: 0, blue: 0, alpha: 0)

    public init?(_ text: String) {
        switch text.lowercased() {
        case "white": self = .white; return
        case "black": self = .black; return
        case "transparent": self = .transparent; return
        default: break
        }
        guard text.hasPrefix("#") else { return nil }
        var hex = Array(text.dropFirst())
        if hex.count == 3 || hex.count == 4 { hex = hex.flatMap { [$0, $0] } }
        guard hex.count == 6 || hex.count == 8 else { return nil }
        var bytes = [UInt8]()
        for i in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(hex[i...i + 1]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(red: bytes[0], green: bytes[1], blue: bytes[2], alpha: bytes.count == 4 ? bytes[3] : 255)
    }

    public var description: String {
        let body = [red, green, blue] + (alpha == 255 ? [] : [alpha])
        return "#" + body.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let colour = RGBAColor(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad colour \(text)"))
        }
        self = colour
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How a resize fits the image into its box.
public enum ResizeFit: String, Sendable, Codable, CaseIterable, Hashable {
    /// Scale to fit inside the box, keeping the aspect ratio (the result may be smaller on one side).
    case contain
    /// Scale to cover the box, keeping the aspect ratio, then crop the centre to the box.
    case cover
    /// Stretch to exactly the box.
    case fill
}

/// A resize box. A missing side is computed from the aspect ratio.
public struct ResizeSpec: Hashable, Sendable, Codable {
    public var width: Int?
    public var height: Int?
    public var fit: ResizeFit
    /// Whether an image smaller than the box may be enlarged (default no).
    public var upscale: Bool

    public init(width: Int?, height: Int?, fit: ResizeFit = .contain, upscale: Bool = false) {
        self.width = width
        self.height = height
        self.fit = fit
        self.upscale = upscale
    }
}

/// A rectangle cut out of the image. Without `x`/`y` the cut is centred.
public struct CropSpec: Hashable, Sendable, Codable {
    public var x: Int?
    public var y: Int?
    public var width: Int
    public var height: Int

    public init(x: Int? = nil, y: Int? = nil, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
}

/// Space added around the image, in pixels.
public struct Insets: Hashable, Sendable, Codable {
    public var top: Int, right: Int, bottom: Int, left: Int

    public init(top: Int, right: Int, bottom: Int, left: Int) {
        self.top = top
        self.right = right
        self.bottom = bottom
        self.left = left
    }

    public init(all: Int) { self.init(top: all, right: all, bottom: all, left: all) }
}

/// What a derive step does to its one input, applied in this order:
/// crop → resize → pad → background (flatten) → encode.
public struct DeriveOperations: Hashable, Sendable, Codable {
    public var crop: CropSpec?
    public var resize: ResizeSpec?
    public var pad: Insets?
    /// Flattens alpha onto this colour (and is the colour of padding).
    public var background: RGBAColor?
    public var format: ImageFormat
    /// Encoder quality 1–100 for jpeg and webp; nil uses the encoder's default.
    public var quality: Int?
    /// Remove metadata (EXIF, XMP, ICC comments). Default true.
    public var strip: Bool

    public init(crop: CropSpec? = nil, resize: ResizeSpec? = nil, pad: Insets? = nil, background: RGBAColor? = nil,
                format: ImageFormat = .png, quality: Int? = nil, strip: Bool = true) {
        self.crop = crop
        self.resize = resize
        self.pad = pad
        self.background = background
        self.format = format
        self.quality = quality
        self.strip = strip
    }

    /// The dimensions these operations produce from an input of `width`×`height`.
    /// Imaging must produce exactly this size; the engine verifies written files against it.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        var w = width, h = height
        if let crop {
            // The crop is intersected with the image: an offset crop loses what runs past the edge.
            w = max(0, min(crop.width, w - max(0, crop.x ?? 0)))
            h = max(0, min(crop.height, h - max(0, crop.y ?? 0)))
        }
        if let resize {
            (w, h) = resize.outputSize(width: w, height: h)
        }
        if let pad {
            w += pad.left + pad.right
            h += pad.top + pad.bottom
        }
        return (w, h)
    }
}

extension ResizeSpec {
    /// The size a `width`×`height` image becomes; never 0 on a side.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let W = Double(width), H = Double(height)
        let boxW = self.width.map(Double.init), boxH = self.height.map(Double.init)
        func clamp(_ scale: Double) -> Double { upscale ? scale : min(scale, 1) }
        func rounded(_ v: Double) -> Int { max(1, Int(v.rounded())) }
        switch (boxW, boxH) {
        case (nil, nil):
            return (width, height)
        case let (bw?, nil):
            let s = clamp(bw / W)
            return (rounded(W * s), rounded(H * s))
        case let (nil, bh?):
            let s = clamp(bh / H)
            return (rounded(W * s), rounded(H * s))
        case let (bw?, bh?):
            switch fit {
            case .contain:
                let s = clamp(min(bw / W, bh / H))
                return (rounded(W * s), rounded(H * s))
            case .cover:
                if !upscale && (W < bw || H < bh) {
                    // Too small to cover without enlarging: crop what fits.
                    return (min(width, Int(bw)), min(height, Int(bh)))
                }
                return (Int(bw), Int(bh))
            case .fill:
                if !upscale { return (min(width, Int(bw)), min(height, Int(bh))) }
                return (Int(bw), Int(bh))
            }
        }
    }
}
