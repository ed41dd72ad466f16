import KilnCore
import Yams

extension ManifestDecoder {
    /// `candidates: N` where it belongs (a generate step, a generate shorthand), located at its key.
    func candidates(_ entry: Entry) -> Located<Int>? {
        guard let value = integer(entry, ManifestKeys.candidatesKey.type) else { return nil }
        return Located(value, at: entry.location)
    }

    /// Where `candidates` may be written, for an error about a place it may not: it is the step's
    /// own choice (N images, one picked), not a parameter an edit, a derive or a default inherits.
    enum CandidatesPlace {
        case edit, derive, parameters, assetWithSteps, editShorthand

        var message: String {
            let only = "'candidates' applies to generate steps only"
            switch self {
            case .edit: return "\(only): an edit makes one image from its inputs; give the generate step it reads candidates and pick one"
            case .derive: return "\(only): a derive is local work with one result; give the generate step it reads candidates"
            case .parameters: return "'candidates' is set on an asset or a generate step, not in defaults or presets"
            case .assetWithSteps: return "'candidates' on an asset belongs to the 'prompt:' shorthand; with 'steps:', write it inside the generate step"
            case .editShorthand: return "\(only): this asset edits (it has 'images:'); give the generate step it reads candidates"
            }
        }
    }

    func misplaced(_ entry: Entry, _ place: CandidatesPlace) {
        error(place.message, at: entry.location)
    }
}
