import Foundation
import KilnCore
import KilnImaging

/// A step's answer made of existing files, checked: one file per image the step writes.
struct AdoptionCandidate: Sendable {
    /// One image of the step, in `n` order.
    struct Image: Sendable {
        var data: Data
        var sha256: String
        /// The file as the person named it (`outputs/icons/home.png`, `art/icons/home.png`).
        var shown: String
    }

    var step: PlannedStep
    var images: [Image]
}

/// Why a file cannot stand for a step's answer: which file, which step, what is wrong and what to do.
struct AdoptionRefusal: Error, Sendable, CustomStringConvertible {
    var file: String
    var step: StepID
    var reason: String

    var description: String { "\(file) (\(step)): \(reason)" }
}

/// Checks the files named for adoption before anything is recorded, as a provider's answer would
/// be checked and more: each file is whole and decodes to its last pixel (libvips), is the step's
/// format, has its size (any size the model can make when the size is `auto`) and has alpha when
/// the step asks for a transparent background. The engine checks the same again when it places the
/// file, so a file that passes here cannot fail there.
struct AdoptionCheck: Sendable {
    /// Where the files are: `outputs/` (the files the last build left), or `--from DIR`.
    var folder: URL
    /// `folder` as the person named it, for messages.
    var shownFolder: String
    let toolkit = VipsToolkit()

    /// Refusals as an `Error`, to travel in a `Result`.
    struct Refusals: Error {
        var refusals: [AdoptionRefusal]
    }

    /// Each step's files, checked; every refusal of every file when any is refused.
    func check(_ steps: [PlannedStep]) async -> Result<[AdoptionCandidate], Refusals> {
        var candidates = [AdoptionCandidate](), refusals = [AdoptionRefusal]()
        for step in steps {
            switch await checkStep(step) {
            case let .success(candidate): candidates.append(candidate)
            case let .failure(problems): refusals += problems.refusals
            }
        }
        return refusals.isEmpty ? .success(candidates) : .failure(Refusals(refusals: refusals))
    }

    /// One step: a file for each of its outputs; outputs of the same image (identical steps merged
    /// into one) must hold the same bytes.
    func checkStep(_ step: PlannedStep) async -> Result<AdoptionCandidate, Refusals> {
        var images = [AdoptionCandidate.Image](), refusals = [AdoptionRefusal]()
        let count = (step.outputs.map(\.index).max() ?? -1) + 1
        for index in 0..<count {
            var first: AdoptionCandidate.Image?
            for output in step.outputs where output.index == index {
                switch await checkFile(output.path, for: step) {
                case let .failure(refusal):
                    refusals.append(refusal)
                case let .success(image):
                    if let first, first.sha256 != image.sha256 {
                        refusals.append(AdoptionRefusal(file: image.shown, step: step.id, reason:
                            "it and \(first.shown) are both image \(index + 1) of this step (identical steps are built once) "
                            + "but differ: make them the same file"))
                    }
                    if first == nil { first = image }
                }
            }
            if let first { images.append(first) }
        }
        guard refusals.isEmpty, images.count == count else { return .failure(Refusals(refusals: refusals)) }
        return .success(AdoptionCandidate(step: step, images: images))
    }

    /// The file standing for `output`: read whole, decoded, and held against what the step asks for.
    func checkFile(_ output: String, for step: PlannedStep) async -> Result<AdoptionCandidate.Image, AdoptionRefusal> {
        let shown = shownFolder + "/" + output
        func refuse(_ reason: String) -> Result<AdoptionCandidate.Image, AdoptionRefusal> {
            .failure(AdoptionRefusal(file: shown, step: step.id, reason: reason))
        }
        var data = Data()
        let facts = ImageFileCheck.inspect(path: folder.path + "/" + output) { data = $0 }
        if case let .failure(problem) = facts {
            guard problem.missing else { return refuse("the file \(problem.message)") }
            return refuse("no such file; put the image for \(output) there"
                + (shownFolder == "outputs" ? ", or pass --from DIR to read it from DIR/\(output)" : ""))
        }
        let info: ImageInfo
        do {
            info = try await toolkit.inspectWhole(data)
        } catch {
            return refuse("the file does not decode (\(error)); export it again as \(step.format.rawValue)")
        }
        if let problem = AdoptionRules.problem(with: info, for: step) { return refuse(problem) }
        return .success(AdoptionCandidate.Image(data: data, sha256: Digest.sha256(data), shown: shown))
    }
}
