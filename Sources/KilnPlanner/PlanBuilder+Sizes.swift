import KilnCore
import KilnManifest

/// The size each image will have, where it can be known before the build: a generate or edit with
/// a fixed `size:`, a derive of such an image (or of a PNG file), through its crop, resize and pad.
/// Planning uses it to refuse what would fail after earlier steps were paid for: a mask of another
/// size than the derived image it edits, a crop outside its image, a derive past the size limit.
extension PlanBuilder {
    /// The size a new step will make, checking a derive's operations against its input's size.
    /// Reports a problem and returns false when the step cannot work.
    mutating func recordPlannedSize(_ step: PlannedStep, instance: Instance, input: ResolvedInput?) -> Bool {
        switch step.kind {
        case .generate, .edit:
            if case let .fixed(width, height)? = step.parameters?.size { plannedSizes[step.id] = (width, height) }
            return true
        case .derive:
            guard let operations = step.derive, let input, let size = size(of: input) else { return true }
            let definition = instance.definition
            if let crop = operations.crop {
                let x = crop.x ?? max(0, (size.width - crop.width) / 2), y = crop.y ?? max(0, (size.height - crop.height) / 2)
                if x >= size.width || y >= size.height {
                    diagnostics.append(.error("crop \(crop.width)x\(crop.height) at \(x),\(y) lies outside the \(size.width)x\(size.height) image it reads (\(input.shown)): move it inside or make it smaller",
                                              at: definition.location(of: "crop")))
                    return false
                }
            }
            let made = operations.outputSize(width: size.width, height: size.height)
            guard made.width <= ImageLimits.maxSide, made.height <= ImageLimits.maxSide else {
                diagnostics.append(.error("this derive makes a \(made.width)x\(made.height) image; the largest Kiln writes is \(ImageLimits.maxSide.thousandsGrouped) on a side",
                                          at: definition.location(of: operations.pad != nil ? "pad" : "resize")))
                return false
            }
            plannedSizes[step.id] = made
            return true
        }
    }

    /// An input's size, when known now: a PNG file's own (other formats may be turned by an EXIF
    /// orientation the planner does not read), or the planned size of the step it references.
    func size(of input: ResolvedInput) -> (width: Int, height: Int)? {
        if let facts = input.facts { return facts.format == .png ? (facts.width, facts.height) : nil }
        guard let index = input.stepIndex else { return nil }
        return plannedSizes[steps[index].id]
    }
}
