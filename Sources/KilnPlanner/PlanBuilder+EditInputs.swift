import KilnCore
import KilnManifest

/// The Images API's rules for an edit's files (CONTRACT.md), checked while planning so a request
/// that cannot succeed is never sent and no other step is paid for first: each image under 50 MB,
/// the mask a PNG with alpha under 4 MB of exactly the first image's size. References are images the build
/// makes; their size is known only when the step asks for a fixed one.
extension PlanBuilder {
    static let maxEditInputBytes = 50 * 1024 * 1024
    /// OpenAI's spec: "Must be a valid PNG file, less than 4MB".
    static let maxMaskBytes = 4 * 1024 * 1024

    mutating func checkEditInputs(_ images: [ResolvedInput], mask: ResolvedInput?, of instance: Instance) -> Bool {
        let definition = instance.definition
        var ok = true
        for (index, image) in images.enumerated() {
            guard let facts = image.facts, facts.byteCount >= Self.maxEditInputBytes else { continue }
            let megabytes = (Double(facts.byteCount) / 1_048_576 * 10).rounded() / 10
            diagnostics.append(.error("input '\(image.shown)' is \(megabytes) MB; edit inputs must be under 50 MB: downscale it or save it as jpeg or webp",
                                      at: definition.images[index].location))
            ok = false
        }
        guard let mask, let maskLocation = definition.mask?.location, let facts = mask.facts else { return ok }
        guard facts.format == .png else {
            diagnostics.append(.error("mask '\(mask.shown)' is a \(facts.format.rawValue) file; a mask must be a PNG with an alpha channel (alpha 0 where the edit may paint)",
                                      at: maskLocation))
            return false
        }
        guard facts.hasAlpha else {
            diagnostics.append(.error("mask '\(mask.shown)' has no alpha channel: the edit paints where the mask's alpha is 0, so export it as an RGBA PNG with transparency there",
                                      at: maskLocation))
            return false
        }
        if facts.byteCount >= Self.maxMaskBytes {
            let megabytes = (Double(facts.byteCount) / 1_048_576 * 10).rounded() / 10
            diagnostics.append(.error("mask '\(mask.shown)' is \(megabytes) MB; a mask must be under 4 MB (OpenAI's limit): save it with stronger PNG compression or fewer colours",
                                      at: maskLocation))
            return false
        }
        guard let first = images.first, let size = expectedSize(of: first) else { return ok }
        if size.width != facts.width || size.height != facts.height {
            diagnostics.append(.error("mask '\(mask.shown)' is \(facts.width)x\(facts.height) but the first image '\(first.shown)' is \(size.width)x\(size.height): the mask must match the first image's size",
                                      at: maskLocation))
            return false
        }
        return ok
    }

    /// The first image's size: a file's own, or a referenced step's planned size.
    private func expectedSize(of image: ResolvedInput) -> (width: Int, height: Int)? {
        if let facts = image.facts { return (facts.width, facts.height) }
        return size(of: image)
    }
}
