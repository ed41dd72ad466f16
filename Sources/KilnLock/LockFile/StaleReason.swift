import KilnCore

/// Why a step must run — or that it need not. `description` is a clause for a terminal line;
/// `line(for:)` prefixes the step id: `p/a/thumb: upstream step p/a/gen changed`.
public enum StaleReason: Hashable, Sendable, CustomStringConvertible {
    /// The lockfile has no entry for this step id.
    case newStep
    /// Fields that determine the result differ from the lockfile's entry (empty when the key changed
    /// but no recorded field did: Kiln's cache-key format changed).
    case changed([FieldChange])
    /// Only the salt changed: a deliberate re-roll.
    case saltChanged(old: String?, new: String?)
    /// The key is unchanged, but the cache has no entry for it and the outputs on disk do not match
    /// the lockfile's digests.
    case cacheMissing
    /// The key is unchanged and every output matches the lockfile: nothing to do.
    case upToDate
    /// The cache holds the answer for the current key: it will be materialised, not paid for.
    case cached
    /// `kiln build --force` named it or a step upstream of it: run again whatever the cache holds.
    case forced

    /// Whether the step has to run (call its provider, or redo its local work).
    public var needsRun: Bool {
        switch self {
        case .upToDate, .cached: false
        case .newStep, .changed, .saltChanged, .cacheMissing, .forced: true
        }
    }

    public var description: String {
        switch self {
        case .newStep: "new step"
        case let .changed(changes) where changes.isEmpty: "cache key changed (this Kiln computes keys differently)"
        case let .changed(changes): changes.map(\.description).joined(separator: "; ")
        case let .saltChanged(old, new): "salt changed: \(old ?? "none") → \(new ?? "none") (re-roll)"
        case .cacheMissing: "cache entry missing and outputs do not match kiln.lock"
        case .upToDate: "up to date"
        case .cached: "cached"
        case .forced: "forced (--force): run again, whatever the cache holds"
        }
    }

    /// `id: reason`, for one line of `kiln plan --explain` or `kiln status`.
    public func line(for id: StepID) -> String {
        "\(id): \(description)"
    }
}

/// One fingerprint field that differs from the lockfile: its name and the old and new values
/// (nil when the field was absent).
public struct FieldChange: Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var old: String?
    public var new: String?

    public init(field: String, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }

    /// How long a prompt may be before it is shortened with `…` in a description.
    public static let promptLimit = 60

    /// `quality: low → high`, `input file pipelines/x.png changed`, `upstream step p/a/gen changed`,
    /// `prompt: "a fox…" → "a wolf…"`, `candidate 1 → 2 (kiln pick)`.
    public var description: String {
        let what = field == "mask" ? "mask" : "input"
        switch (old.flatMap(InputValue.init), new.flatMap(InputValue.init)) {
        case let (.file(oldPath, _)?, .file(newPath, _)?) where oldPath == newPath:
            return "\(what) file \(newPath) changed"
        case let (.step(oldID, _)?, .step(newID, _)?) where oldID == newID:
            return "upstream step \(newID) changed"
        case let (oldInput?, newInput?):
            return "\(field): \(oldInput.label) → \(newInput.label)"
        default:
            break
        }
        if field == "prompt" {
            return "prompt: \(Self.quoted(old)) → \(Self.quoted(new))"
        }
        if field == "candidate" {
            return "candidate \(old ?? "none") → \(new ?? "none") (kiln pick)"
        }
        if field == "reroll" {
            return "re-rolled (kiln reroll): salt \(old ?? "none") → \(new ?? "none")"
        }
        return "\(field): \(old ?? "none") → \(new ?? "none")"
    }

    private static func quoted(_ text: String?) -> String {
        guard let text else { return "none" }
        if text.count <= promptLimit { return "\"\(text)\"" }
        return "\"\(text.prefix(promptLimit - 1))…\""
    }
}

/// An input field's value parsed back: `file PATH sha256:DIGEST` or `step ID key:KEY`.
package enum InputValue: Hashable {
    case file(path: String, digest: String)
    case step(id: String, key: String)

    package init?(_ value: String) {
        // The digest or key is the last word; the path before it may hold spaces.
        guard let space = value.lastIndex(of: " ") else { return nil }
        let last = value[value.index(after: space)...]
        if value.hasPrefix("file "), last.hasPrefix("sha256:") {
            let path = value[value.index(value.startIndex, offsetBy: 5)..<space]
            self = .file(path: String(path), digest: String(last.dropFirst(7)))
        } else if value.hasPrefix("step "), last.hasPrefix("key:") {
            let id = value[value.index(value.startIndex, offsetBy: 5)..<space]
            self = .step(id: String(id), key: String(last.dropFirst(4)))
        } else {
            return nil
        }
    }

    /// The value without its digest or key.
    package var label: String {
        switch self {
        case let .file(path, _): "file \(path)"
        case let .step(id, _): "step \(id)"
        }
    }
}
