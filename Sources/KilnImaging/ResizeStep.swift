import KilnCore

/// What a resize does to a `width`×`height` image, sized by `ResizeSpec.outputSize`; nil when nothing.
enum ResizeStep {
    /// Scale to exactly this size; `cover` scales to cover it and crops the centre.
    case scale(width: Int, height: Int, cover: Bool)
    /// Too small to cover without enlarging: cut this much out of the centre, unscaled.
    case centreCrop(width: Int, height: Int)

    init?(_ resize: ResizeSpec, width: Int, height: Int) {
        let (w, h) = resize.outputSize(width: width, height: height)
        guard (w, h) != (width, height) else { return nil }
        guard resize.fit == .cover, let boxW = resize.width, let boxH = resize.height else {
            self = .scale(width: w, height: h, cover: false)
            return
        }
        self = resize.upscale || (width >= boxW && height >= boxH)
            ? .scale(width: w, height: h, cover: true) : .centreCrop(width: w, height: h)
    }
}
