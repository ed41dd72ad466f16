import Foundation
import KilnCore
import KilnOutputs

/// What the gallery page shows, built from the output manifest, the manifest of the build before
/// (for new / changed / unchanged) and the plan (for lineage). Encoded as JSON into the page; the
/// page's script renders it.
public struct GalleryModel: Sendable, Encodable {
    /// One output file.
    public struct Item: Sendable, Encodable {
        public enum Change: String, Sendable, Encodable { case new, changed, unchanged }

        var path: String
        var step: String
        var pipeline: String
        var asset: String
        var variant: String?
        var status: Change
        /// The thumbnail, relative to the page; nil when none could be made.
        var thumb: String?
        /// The previous build's thumbnail of a changed file.
        var previous: String?
        var width: Int
        var height: Int
        var format: String
        var alpha: Bool
        var bytes: Int
        var kind: String
        var provider: String?
        var model: String?
        var prompt: String?
        /// As the output manifest records them; the page lists their fields.
        var parameters: ImageParameters?
        var derive: DeriveOperations?
        var resolved: [String: String]?
        var costUSD: Double
        var costBasis: String
        var requestID: String?
        /// When the answer was stored (the cache record's time), else nil.
        var made: String?
        var fromCache: Bool
        /// Recorded with `kiln adopt`: an existing file, not a provider's answer.
        var adopted: Bool
        /// Where this file's step read from: other files of this build (paths), steps without a
        /// file of their own, or source files (`file:` + path).
        var inputs: [String]
        /// The files made from this one, directly.
        var usedBy: [String]
        /// Which candidate this image is, for a step with `candidates:` (its own file under
        /// `….candidates/`, or the step's output, which holds the one in use).
        var candidate: Int? = nil
        /// For the candidate in use: `picked`, or `unpicked` while the first is used by default.
        var pick: String? = nil
        /// For a candidate `kiln reroll` replaced (shown until its answer leaves the cache): when.
        /// Its `path` is its copy beside the page.
        var rerolled: String? = nil
    }

    public struct Totals: Sendable, Encodable {
        var images: Int
        var costUSD: Double
        var built: Int
        var cached: Int
        var upToDate: Int
        var failed: Int
        var skipped: Int
        var new: Int
        var changed: Int
    }

    /// A step that failed or did not run, shown above the grid.
    public struct Problem: Sendable, Encodable {
        var step: String
        var status: String
        var error: String
    }

    var title: String
    var items: [Item]
    var totals: Totals
    var problems: [Problem]
    /// Whether a previous build was there to compare with.
    var compared: Bool

    /// - Parameters:
    ///   - previous: the output manifest of the build before, if known.
    ///   - plan: for lineage (which step reads which); nil leaves it out.
    ///   - root: the project folder, which source files are named relative to.
    ///   - thumbnail: the page-relative thumbnail of an image by its SHA-256, if there is one.
    ///   - made: when the answer under a cache key was stored.
    ///   - rerolled: candidates `kiln reroll` replaced, shown after the others of their variant.
    init(title: String, manifest: OutputManifest, previous: OutputManifest?, plan: Plan?,
         root: URL? = nil, thumbnail: (String) -> String?, made: (String) -> String?,
         rerolled: [RerolledCandidate.Shown] = []) {
        let before = Dictionary((previous?.files ?? []).map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let filesByStep = Dictionary(grouping: manifest.files, by: \.step)
        var consumers = [StepID: [StepID]]()
        var inputs = [StepID: [StepInput]]()
        for step in plan?.steps ?? [] {
            inputs[step.id] = step.inputs
            for input in step.inputs { if let id = input.stepID { consumers[id, default: []].append(step.id) } }
        }
        let root = root?.standardizedFileURL.path
        func named(_ id: StepID) -> [String] {
            filesByStep[id].map { $0.map(\.path) } ?? ["step:" + id.description]
        }
        /// Files made from `id`: through steps with no file of their own too.
        func madeFrom(_ id: StepID, depth: Int = 0) -> [String] {
            guard depth < 64 else { return [] }
            return (consumers[id] ?? []).flatMap { next in
                filesByStep[next].map { $0.map(\.path) } ?? madeFrom(next, depth: depth + 1)
            }
        }
        var new = 0, changed = 0
        items = manifest.files.map { file in
            let status: Item.Change
            switch before[file.path] {
            case nil: status = .new; new += 1
            case file.sha256?: status = .unchanged
            case .some: status = .changed; changed += 1
            }
            let sources = (inputs[file.step] ?? []).flatMap { input -> [String] in
                switch input {
                case let .step(id): return named(id)
                case let .file(path, _):
                    let relative = root.flatMap { path.hasPrefix($0 + "/") ? String(path.dropFirst($0.count + 1)) : nil }
                    return ["file:" + (relative ?? path)]
                }
            }
            return Item(path: file.path, step: file.step.description, pipeline: file.step.pipeline,
                        asset: file.step.asset, variant: file.step.variant, status: status,
                        thumb: thumbnail(file.sha256),
                        previous: status == .changed ? before[file.path].flatMap(thumbnail) : nil,
                        width: file.width, height: file.height, format: file.format.rawValue, alpha: file.alpha,
                        bytes: file.bytes, kind: file.kind.rawValue, provider: file.provider, model: file.model,
                        prompt: file.prompt, parameters: file.parameters, derive: file.derive,
                        resolved: file.resolved, costUSD: file.cost.usd,
                        costBasis: file.cost.basis.rawValue, requestID: file.requestID,
                        made: made(file.cacheKey), fromCache: file.fromCache, adopted: file.adopted == true,
                        inputs: sources, usedBy: madeFrom(file.step))
        }
        for i in items.indices where !(plan?.candidates.isEmpty ?? true) {
            guard let id = StepID(parsing: items[i].step) else { continue }
            let (owner, number) = id.candidateOf ?? (id, nil)
            guard let set = plan?.candidates[owner] else { continue }
            items[i].candidate = number ?? set.chosen
            if (number ?? set.chosen) == set.chosen { items[i].pick = set.picked ? "picked" : "unpicked" }
        }
        items += rerolled.map { shown in
            let c = shown.candidate
            return Item(path: shown.path, step: c.step.description, pipeline: c.step.pipeline, asset: c.step.asset,
                        variant: c.step.variant, status: .unchanged, thumb: thumbnail(c.sha256), previous: nil,
                        width: shown.info.width, height: shown.info.height, format: shown.info.format.rawValue,
                        alpha: shown.info.hasAlpha, bytes: shown.bytes, kind: StepKind.generate.rawValue,
                        provider: c.provider, model: c.model, prompt: c.prompt, parameters: nil, derive: nil,
                        resolved: nil, costUSD: c.costUSD, costBasis: "actual", requestID: c.requestID, made: c.made,
                        fromCache: true, adopted: false, inputs: [], usedBy: [], candidate: c.number, rerolled: c.rerolled)
        }
        items.sort {
            ($0.pipeline, $0.asset, $0.variant ?? "", $0.rerolled == nil ? 0 : 1, $0.rerolled == nil ? 0 : $0.candidate ?? 0, $0.path)
                < ($1.pipeline, $1.asset, $1.variant ?? "", $1.rerolled == nil ? 0 : 1, $1.rerolled == nil ? 0 : $1.candidate ?? 0, $1.path)
        }
        let t = manifest.totals
        totals = Totals(images: manifest.files.count, costUSD: t.costUSD, built: t.built, cached: t.cached,
                        upToDate: t.upToDate, failed: t.failed, skipped: t.skipped, new: new, changed: changed)
        problems = manifest.steps.map { Problem(step: $0.step.description, status: $0.status.rawValue, error: $0.error) }
        compared = previous != nil
        self.title = title
    }
}
