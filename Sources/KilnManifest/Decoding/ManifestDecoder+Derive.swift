import KilnCore
import Yams

extension ManifestDecoder {
    /// Fills `step.derive`, `step.from` and `step.sizes` from derive keys.
    func applyDerive(_ entries: [Entry], to step: inout StepDefinition) {
        let table = ManifestKeys.derive
        var spec = DeriveSpec()
        var box: (width: Int?, height: Int?)?
        var fit: ResizeFit?
        var upscale: Bool?
        for entry in entries {
            step.locations[entry.name] = entry.location
            let type = table[entry.name]?.type ?? .string
            switch entry.name {
            case "from":
                if let text = string(entry) { step.from = Located(ImageSource(parsing: text.value), at: text.location) }
            case "resize": box = resizeBox(entry)
            case "fit": fit = choice(entry, type).flatMap(ResizeFit.init(rawValue:))
            case "upscale": upscale = bool(entry)
            case "crop": spec.crop = crop(entry)
            case "pad": spec.pad = pad(entry)
            case "background":
                guard let text = string(entry) else { break }
                if let colour = RGBAColor(text.value) { spec.background = colour } else {
                    error("'background' must be a colour (#rgb, #rrggbb, #rrggbbaa, white, black or transparent), not '\(text.value)'",
                          at: text.location)
                }
            case "format": spec.format = choice(entry, type).flatMap { ImageFormat(pathExtension: $0) }
            case "quality": spec.quality = integer(entry, type)
            case "strip": spec.strip = bool(entry)
            case "sizes": step.sizes = integerList(entry) ?? []
            default: break
            }
        }
        if let resize = entries.first(where: { $0.name == "resize" }), entries.contains(where: { $0.name == "sizes" }) {
            error("'resize' and 'sizes' cannot be combined: each size is its own square resize", at: resize.location)
        }
        if let box {
            spec.resize = ResizeSpec(width: box.width, height: box.height, fit: fit ?? .contain, upscale: upscale ?? false)
        } else if fit != nil || upscale != nil {
            if !step.sizes.isEmpty {
                // Carries fit/upscale for every size's box; the sizes themselves come from `sizes`.
                spec.resize = ResizeSpec(width: nil, height: nil, fit: fit ?? .contain, upscale: upscale ?? false)
            } else if !entries.contains(where: { $0.name == "resize" }) {
                let key = entries.first { $0.name == "fit" || $0.name == "upscale" }!
                error("'\(key.name)' applies only with 'resize' or 'sizes'", at: key.location)
            }
        }
        step.derive = spec
    }

    private func resizeBox(_ entry: Entry) -> (width: Int?, height: Int?)? {
        let type = ManifestKeys.derive["resize"]!.type
        switch entry.value {
        case .scalar where entry.value.tagName == .int:
            guard let n = integer(entry, .integer(min: 1, max: ImageLimits.maxSide)) else { return nil }
            return (n, n)
        case .scalar where entry.value.tagName == .str:
            guard let (w, h) = dimensions(entry.value.string ?? "") else {
                error("'resize' must be N, \"WIDTHxHEIGHT\" or {width, height} (sides 1–\(ImageLimits.maxSide)), not '\(entry.value.string ?? "")'",
                      at: location(entry.value))
                return nil
            }
            return (w, h)
        case .mapping:
            let inner = entries(entry.value, ManifestKeys.box, in: "'resize'") ?? []
            var width: Int?, height: Int?
            for e in inner {
                let value = integer(e, ManifestKeys.box[e.name]!.type)
                if e.name == "width" { width = value } else { height = value }
            }
            guard width != nil || height != nil else {
                if inner.isEmpty { error("'resize' needs a width or a height", at: location(entry.value)) }
                return nil
            }
            return (width, height)
        default:
            typeError(entry, type)
            return nil
        }
    }

    private func crop(_ entry: Entry) -> CropSpec? {
        switch entry.value {
        case .scalar where entry.value.tagName == .str:
            guard let (w, h) = dimensions(entry.value.string ?? "") else {
                error("'crop' must be \"WIDTHxHEIGHT\" or {x, y, width, height} (sides 1–\(ImageLimits.maxSide)), not '\(entry.value.string ?? "")'",
                      at: location(entry.value))
                return nil
            }
            return CropSpec(width: w, height: h)
        case .mapping:
            var values = [String: Int]()
            for e in entries(entry.value, ManifestKeys.rect, in: "'crop'") ?? [] {
                values[e.name] = integer(e, ManifestKeys.rect[e.name]!.type)
            }
            guard let width = values["width"], let height = values["height"] else { return nil }
            return CropSpec(x: values["x"], y: values["y"], width: width, height: height)
        default:
            typeError(entry, ManifestKeys.derive["crop"]!.type)
            return nil
        }
    }

    private func pad(_ entry: Entry) -> Insets? {
        switch entry.value {
        case .scalar:
            return integer(entry, .integer(min: 0, max: ImageLimits.maxSide)).map(Insets.init(all:))
        case .mapping:
            var values = [String: Int]()
            for e in entries(entry.value, ManifestKeys.insets, in: "'pad'") ?? [] {
                values[e.name] = integer(e, ManifestKeys.insets[e.name]!.type)
            }
            return Insets(top: values["top"] ?? 0, right: values["right"] ?? 0, bottom: values["bottom"] ?? 0,
                          left: values["left"] ?? 0)
        default:
            typeError(entry, ManifestKeys.derive["pad"]!.type)
            return nil
        }
    }

    /// `WIDTHxHEIGHT` with both sides positive.
    func dimensions(_ text: String) -> (Int, Int)? {
        guard case let .fixed(w, h)? = SizeSpec(text) else { return nil }
        return (w, h)
    }
}
