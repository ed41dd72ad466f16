import Foundation
import KilnCore

extension LockFile {
    /// Parses lockfile bytes; `path` names the file in errors.
    /// - Throws: `LockFileError` for malformed JSON, a missing field, a bad step id or kind, or a
    ///   version other than `currentVersion`.
    public static func decode(_ data: Data, path: String) throws -> LockFile {
        var version: Int?
        // A step block is ~400–700 bytes: reserving up front saves rehashing 10,000 entries.
        var steps = [StepID: Step](minimumCapacity: data.count / 400)
        var choices = CandidateChoices()
        // Keys are sorted, so `version` comes after `steps` (and `picks`, `rerolls`): an error there
        // is held until the version is known, so a newer format is reported as such rather than as
        // malformed.
        var stepsError: Error?
        do {
            try data.withUnsafeBytes { raw in
                var reader = JSONReader(raw)
                try reader.object { key, reader in
                    switch key {
                    case "version":
                        version = try reader.integer()
                    case "steps", "picks", "rerolls":
                        let start = reader.position
                        do {
                            switch key {
                            case "steps": try readSteps(&reader, into: &steps)
                            case "picks": try readPicks(&reader, into: &choices)
                            default: try readRerolls(&reader, into: &choices)
                            }
                        } catch {
                            stepsError = stepsError ?? error
                            reader = JSONReader(raw, at: start)
                            try reader.skipValue()
                        }
                    default:
                        try reader.skipValue()
                    }
                }
                reader.skipWhitespace()
                guard reader.atEnd else { throw reader.error("unexpected text after the end") }
            }
        } catch {
            throw LockFileError(path: path, problem: "is malformed (\(error))")
        }
        guard let version else { throw LockFileError(path: path, problem: "has no \"version\"") }
        guard version == currentVersion else {
            throw LockFileError(path: path, problem: "has format version \(version), and this Kiln reads "
                                    + "version \(currentVersion)")
        }
        if let stepsError { throw LockFileError(path: path, problem: "is malformed (\(stepsError))") }
        var lock = LockFile(steps: steps, choices: choices)
        lock.version = version
        return lock
    }

    private static func readSteps(_ reader: inout JSONReader, into steps: inout [StepID: Step]) throws {
        try reader.object { text, reader in
            guard let id = fastStepID(text) else {
                throw reader.error("\"\(text)\" is not a step id (pipeline/asset[@variant]/step)")
            }
            steps[id] = try readStep(&reader, id: text)
        }
    }

    /// `StepID(parsing:)` without `split`'s arrays, or any array (a tenth of the decode time for
    /// 10,000 steps).
    package static func fastStepID(_ text: String) -> StepID? {
        var text = text
        return text.withUTF8 { utf8 -> StepID? in
            // The first two slashes, and whether there is a third (then it is no step id).
            var first = -1, second = -1, at: Int?
            for i in 0..<utf8.count {
                if utf8[i] == 0x2F {
                    if first < 0 { first = i } else if second < 0 { second = i } else { return nil }
                } else if utf8[i] == 0x40, at == nil, first >= 0, second < 0 {
                    at = i
                }
            }
            guard second >= 0, first > 0, second > first + 1, second < utf8.count - 1 else { return nil }
            func part(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: utf8[range]), as: UTF8.self) }
            let assetEnd = at ?? second
            guard assetEnd > first + 1 else { return nil }
            return StepID(pipeline: part(0..<first), asset: part(first + 1..<assetEnd),
                          variant: at.map { part($0 + 1..<second) }, step: part(second + 1..<utf8.count))
        }
    }

    private static func readStep(_ reader: inout JSONReader, id: String) throws -> Step {
        var cacheKey: String?
        var kind: StepKind?
        var provider: String?, model: String?
        var fields = [String: String](minimumCapacity: 16)
        var outputs = [Output]()
        try reader.object { key, reader in
            switch key {
            case "cache_key": cacheKey = try reader.string()
            case "kind":
                let text = try reader.string()
                guard let value = StepKind(rawValue: text) else {
                    throw reader.error("step \(id) has the unknown kind \"\(text)\"")
                }
                kind = value
            case "provider": provider = try reader.null() ? nil : reader.string()
            case "model": model = try reader.null() ? nil : reader.string()
            case "fingerprint":
                try reader.object { name, reader in fields[name] = try reader.string() }
            case "outputs":
                try reader.array { reader in
                    var path: String?, sha256: String?
                    try reader.object { key, reader in
                        switch key {
                        case "path": path = try reader.string()
                        case "sha256": sha256 = try reader.string()
                        default: try reader.skipValue()
                        }
                    }
                    guard let path, let sha256 else { throw reader.error("an output of step \(id) lacks path or sha256") }
                    outputs.append(Output(path: path, sha256: sha256))
                }
            default:
                try reader.skipValue()
            }
        }
        guard let cacheKey else { throw reader.error("step \(id) has no \"cache_key\"") }
        guard let kind else { throw reader.error("step \(id) has no \"kind\"") }
        return Step(cacheKey: cacheKey, kind: kind, provider: provider, model: model, fields: fields, outputs: outputs)
    }
}
