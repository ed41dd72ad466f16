import Foundation
import KilnCore

/// The `picks` and `rerolls` sections of kiln.lock: one line per entry, sorted by step id, so a
/// pick is a one-line diff a pull request shows. Written only when they hold something, so a lock
/// of a project without candidates keeps its bytes, and a lock from before them reads as it did.
///
/// ```json
/// "picks": {
///   "icons/app/main": 2
/// },
/// "rerolls": {
///   "icons/app/main~1": "9f3a61c0"
/// },
/// ```
extension LockFile {
    func writeChoices(to out: inout PrettyJSONWriter) {
        Self.section("picks", choices.picks, to: &out) { $0.int($1) }
        Self.section("rerolls", choices.rerolls, to: &out) { $0.string($1) }
    }

    /// `  "name": {` one sorted `"id": value` line per entry `},` — nothing when there is none.
    private static func section<Value>(_ name: String, _ entries: [StepID: Value], to out: inout PrettyJSONWriter,
                                       value: (inout PrettyJSONWriter, Value) -> Void) {
        guard !entries.isEmpty else { return }
        out.raw("  \"\(name)\": {")
        for (i, entry) in entries.map({ ($0.key.description, $0.value) }).sorted(by: { $0.0 < $1.0 }).enumerated() {
            out.raw(i == 0 ? "\n    " : ",\n    ")
            out.string(entry.0)
            out.raw(": ")
            value(&out, entry.1)
        }
        out.raw("\n  },\n")
    }

    static func readPicks(_ reader: inout JSONReader, into choices: inout CandidateChoices) throws {
        try reader.object { text, reader in
            guard let id = fastStepID(text) else { throw reader.error("\"\(text)\" in \"picks\" is not a step id") }
            let number = try reader.integer()
            guard number >= 1 else { throw reader.error("the pick of \(text) is \(number), not a candidate number (1 or more)") }
            choices.picks[id] = number
        }
    }

    static func readRerolls(_ reader: inout JSONReader, into choices: inout CandidateChoices) throws {
        try reader.object { text, reader in
            guard let id = fastStepID(text), id.candidateOf != nil else {
                throw reader.error("\"\(text)\" in \"rerolls\" is not a candidate's step id (pipeline/asset[@variant]/step~N)")
            }
            choices.rerolls[id] = try reader.string()
        }
    }

    /// The choices still worth keeping after a full build of `plan`: picks of steps that still
    /// have candidates, salts of candidates still planned. A build of some targets keeps them all.
    func choicesKept(for plan: Plan, keepOthers: Bool) -> CandidateChoices {
        guard !keepOthers, !choices.isEmpty else { return choices }
        let planned = plan.index()
        return CandidateChoices(picks: choices.picks.filter { plan.candidates[$0.key] != nil },
                                rerolls: choices.rerolls.filter { planned[$0.key] != nil })
    }
}
