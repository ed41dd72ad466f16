import Foundation
import KilnCore

/// The model of `kiln.lock`, the file users commit beside `outputs/`: for every step id, the cache
/// key it was built with, its provider and model, its fingerprint fields and the digests of the
/// files it wrote; and which candidate each step with candidates uses (`picks`) and the salt of
/// each re-rolled candidate (`rerolls`).
///
/// The file is JSON written by a small hand-rolled writer: 2-space indent, keys sorted, steps in a
/// top-level `steps` object keyed by step id (one block per step), each output on one line —
/// deterministic, so the same plan and outputs give the same bytes, and a change to one step
/// changes only lines inside that step's block.
public struct LockFile: Hashable, Sendable {
    /// The format version this Kiln reads and writes.
    public static let currentVersion = 1
    /// The file name, in the directory Kiln runs in.
    public static let fileName = "kiln.lock"

    /// One file a step wrote.
    public struct Output: Hashable, Sendable, Comparable {
        /// Relative path under `outputs/`.
        public var path: String
        public var sha256: String

        public init(path: String, sha256: String) {
            self.path = path
            self.sha256 = sha256
        }

        public static func < (lhs: Output, rhs: Output) -> Bool { lhs.path < rhs.path }
    }

    /// One step's entry.
    public struct Step: Hashable, Sendable {
        public var cacheKey: String
        public var kind: StepKind
        public var provider: String?
        public var model: String?
        /// The fingerprint fields other than `kind`, `provider` and `model` (which the entry holds
        /// as its own keys, so a model change is one changed line).
        public var fields: [String: String]
        /// Sorted by path.
        public var outputs: [Output]

        public init(cacheKey: String, kind: StepKind, provider: String? = nil, model: String? = nil,
                    fields: [String: String] = [:], outputs: [Output] = []) {
            self.cacheKey = cacheKey
            self.kind = kind
            self.provider = provider
            self.model = model
            self.fields = fields
            // Sorted already, as a lockfile lists them: no second array per step.
            self.outputs = zip(outputs, outputs.dropFirst()).allSatisfy({ !($1 < $0) }) ? outputs : outputs.sorted()
        }

        /// The entry for `step` as built now, with the digests of the files it wrote.
        public init(step: PlannedStep, fingerprint: StepFingerprint, outputs: [Output]) {
            var fields = fingerprint.dictionary
            for name in Self.headerFields { fields[name] = nil }
            self.init(cacheKey: step.cacheKey, kind: step.kind, provider: step.provider, model: step.model,
                      fields: fields, outputs: outputs)
        }

        /// Every fingerprint field, `kind`, `provider` and `model` included: what a
        /// `StepFingerprint` of the same step would hold.
        public var fingerprint: [String: String] {
            var all = fields
            all["kind"] = kind.rawValue
            all["provider"] = provider
            all["model"] = model
            return all
        }

        package static let headerFields = ["kind", "provider", "model"]
    }

    public var version: Int
    /// Entries by step id; written sorted by id.
    public var steps: [StepID: Step]
    /// `kiln pick` and `kiln reroll`: the `picks` and `rerolls` sections, one line per entry (absent
    /// when empty, so a lock without candidates reads and writes as before).
    public var choices: CandidateChoices

    public init(steps: [StepID: Step] = [:], choices: CandidateChoices = CandidateChoices()) {
        self.version = Self.currentVersion
        self.steps = steps
        self.choices = choices
    }

    /// The lockfile at `url`, or nil when there is none.
    /// - Throws: `LockFileError` when the file cannot be read, is malformed or has another version
    ///   (the message names the file and says to delete it or regenerate it with `kiln build`).
    public static func read(from url: URL) throws -> LockFile? {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return nil
        } catch {
            throw LockFileError(path: url.path, problem: "cannot be read (\(SystemErrorText.describe(error)))")
        }
        return try decode(data, path: url.path)
    }

    /// Writes the lockfile atomically: a temp file in the same folder (named with this process's
    /// id), then `rename(2)`, so a reader sees the old or the new file, never half of one.
    public func write(to url: URL) throws {
        do {
            try AtomicFile.write(encoded(), to: url)
        } catch {
            throw LockFileError(path: url.path, problem: "cannot be written (\(SystemErrorText.describe(error)))",
                                remedy: LockFileError.writeRemedy)
        }
    }
}

/// A lockfile that cannot be read, parsed or written.
public struct LockFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The lockfile's path.
    public var path: String
    /// What is wrong, as a clause: "is not valid JSON (line 3: …)".
    public var problem: String
    /// What to do about it.
    public var remedy: String

    /// The advice for a lockfile that cannot be read.
    public static let readRemedy = "delete it or regenerate it with `kiln build`"
    /// The advice for a lockfile that cannot be written.
    public static let writeRemedy = "check that the folder exists and is writable"

    public init(path: String, problem: String, remedy: String = LockFileError.readRemedy) {
        self.path = path
        self.problem = problem
        self.remedy = remedy
    }

    public var description: String {
        "\(path): the lockfile \(problem); \(remedy)"
    }
}
