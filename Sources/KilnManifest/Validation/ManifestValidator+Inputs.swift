import Foundation
import KilnCore

extension ManifestValidator {
    /// Input files exist, masks are PNGs, references resolve to one image, derives have an input.
    mutating func checkInputs(_ step: StepDefinition, at index: Int, in asset: Asset) {
        let node = "\(asset.name.value)/\(step.name.value)"
        for image in step.images { checkSource(image, of: step, node: node, in: asset) }
        if let mask = step.mask {
            checkSource(mask, of: step, node: node, in: asset)
            if case let .file(path) = mask.value, !path.lowercased().hasSuffix(".png") {
                error("the mask must be a PNG with an alpha channel, not '\(path)'", at: mask.location)
            }
        }
        guard step.kind == .derive else { return }
        if let from = step.from {
            checkSource(from, of: step, node: node, in: asset)
        } else if let previous = asset.steps[..<index].last(where: { $0.kind != .derive }) {
            edges[node, default: []].append((target: "\(asset.name.value)/\(previous.name.value)", location: step.name.location))
        } else {
            error("derive step '\(step.name.value)' has no input: add 'from:' (no generate or edit step comes before it)",
                  at: step.name.location)
        }
    }

    private mutating func checkSource(_ source: Located<ImageSource>, of step: StepDefinition, node: String, in asset: Asset) {
        switch source.value {
        case let .file(path):
            checkFile(path, at: source.location)
        case .reference:
            switch manifest.resolve(source.value, from: asset) {
            case let .failure(message):
                error(message, at: source.location)
            case let .step(targetAsset, targetStep):
                let target = "\(targetAsset)/\(targetStep)"
                if target == node {
                    error("step '\(step.name.value)' refers to itself ('\(source.value)')", at: source.location)
                    return
                }
                edges[node, default: []].append((target: target, location: source.location))
                checkSingleImage(source, asset: targetAsset, step: targetStep)
            }
        }
    }

    /// A reference needs exactly one image: the step it names may not make n > 1.
    private mutating func checkSingleImage(_ source: Located<ImageSource>, asset name: String, step stepName: String) {
        guard let asset = manifest.asset(named: name), let target = asset.step(named: stepName),
              target.kind != .derive else { return }
        let n = manifest.effectiveParameters(for: target, in: asset).n ?? 1
        if n > 1 {
            error("'\(source.value)' refers to '\(name)/\(stepName)', which makes n=\(n) images; a reference needs exactly one (set n: 1 there)",
                  at: source.location)
        }
    }

    private mutating func checkFile(_ path: String, at location: SourceLocation) {
        if let problem = PathRules.characterProblem(path) {
            error("input '\(PathRules.visible(path))' \(problem)", at: location)
            return
        }
        guard !path.contains("{{") else { return }
        let full = path.hasPrefix("/") ? path : (manifest.directory as NSString).appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) {
            if isDirectory.boolValue { error("input '\(path)' is a folder, not an image file", at: location) }
            return   // what the file holds is checked when the plan reads it
        }
        if case let .failure(problem) = ImageFileCheck.inspect(path: full), !problem.missing {
            error("input '\(path)' \(problem.message)", at: location)   // a looping or unreadable link
            return
        }
        var message = "no such file '\(path)' (relative to \(displayDirectory))"
        let parent = (path as NSString).deletingLastPathComponent
        let listing = (try? FileManager.default.contentsOfDirectory(
            atPath: (manifest.directory as NSString).appendingPathComponent(parent))) ?? []
        let candidates = listing.map { parent.isEmpty ? $0 : (parent as NSString).appendingPathComponent($0) }
        if let best = Suggestions.closest(to: path, in: candidates) { message += " (did you mean '\(best)'?)" }
        error(message, at: location)
    }
}
