import KilnCore
import KilnManifest

/// Selects steps by target: `stickers`, `stickers/corgi-pack`, `stickers/corgi-pack@corgi-happy`,
/// a full step id, an asset name alone (`corgi-pack`), or a glob of any of these (`*`, `?`).
enum TargetSelector {
    static func select(_ targets: [String], from steps: [PlannedStep], diagnostics: inout [Diagnostic]) -> [PlannedStep] {
        let index = Plan(steps: steps).index()
        var chosen = Set<Int>()
        for target in targets {
            let matched = indices(matching: target, in: steps)
            if matched.isEmpty { diagnostics.append(noMatch(target, in: steps)) }
            chosen.formUnion(matched)
        }
        // Everything a chosen step depends on comes along.
        var stack = Array(chosen)
        while let i = stack.popLast() {
            for dep in steps[i].dependencies {
                if let j = index[dep], chosen.insert(j).inserted { stack.append(j) }
            }
        }
        return steps.indices.filter(chosen.contains).map { steps[$0] }
    }

    /// The error for a target that names no step, with the closest pipeline or asset name.
    static func noMatch(_ target: String, in steps: [PlannedStep]) -> Diagnostic {
        let names = Set(steps.flatMap { s in ([s.id] + s.aliases).flatMap { [$0.pipeline, "\($0.pipeline)/\($0.asset)"] } })
        let hint = Suggestions.closest(to: target, in: names.sorted()).map { " (did you mean '\($0)'?)" } ?? ""
        return .error("no step matches target '\(target)'\(hint); `kiln plan` lists the steps", at: nil)
    }

    /// The positions of the steps `target` names (by id or a merged alias), without dependencies.
    static func indices(matching target: String, in steps: [PlannedStep]) -> [Int] {
        steps.indices.filter { i in ([steps[i].id] + steps[i].aliases).contains { matches(target, $0) } }
    }

    static func matches(_ target: String, _ id: StepID) -> Bool {
        let candidates = [id.pipeline, "\(id.pipeline)/\(id.asset)", id.variantPath, id.description]
        if !target.contains("/") {
            // A bare name is a pipeline, or else an asset in any pipeline.
            let bare = [id.pipeline, id.asset, id.asset + (id.variant.map { "@\($0)" } ?? "")]
            return bare.contains { glob(target, $0) }
        }
        return candidates.contains { glob(target, $0) }
    }

    /// `*` matches any run of characters except `/`; `?` one character.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        if !pattern.contains("*") && !pattern.contains("?") { return pattern == text }
        return globMatch(Array(pattern.utf8)[...], Array(text.utf8)[...])
    }

    private static func globMatch(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>) -> Bool {
        guard let first = p.first else { return t.isEmpty }
        switch first {
        case UInt8(ascii: "*"):
            var rest = t
            while true {
                if globMatch(p.dropFirst(), rest) { return true }
                guard let c = rest.first, c != UInt8(ascii: "/") else { return false }
                rest = rest.dropFirst()
            }
        case UInt8(ascii: "?"):
            guard let c = t.first, c != UInt8(ascii: "/") else { return false }
            return globMatch(p.dropFirst(), t.dropFirst())
        default:
            guard t.first == first else { return false }
            return globMatch(p.dropFirst(), t.dropFirst())
        }
    }
}
