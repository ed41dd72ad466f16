import Foundation
import KilnCore
import KilnEngine
import KilnCache
import KilnLock

/// What a project keeps between builds, and where: `kiln.lock` (committed: each step's key and
/// output digests), `.kiln/state` (the stat cache, so unchanged files are not re-hashed) and the
/// result cache (`--cache-dir`, else `KILN_CACHE_DIR`, else `.kiln/cache`), all in the directory
/// Kiln runs in.
struct ProjectFiles: Sendable {
    let root: URL
    let outputDirectory: URL
    let cache: ResultCache
    let state: StatCache
    /// The lockfile as the last build left it (nil: none yet).
    let lock: LockFile?

    var lockURL: URL { root.appendingPathComponent(LockFile.fileName) }
    var stateURL: URL { StatCache.defaultURL(in: root) }

    /// Reads the lockfile and the stat cache. Throws `LockFileError` for a malformed lockfile.
    init(workspace: Workspace, outputDirectory: String, cacheDirectory: String?) throws {
        try self.init(workspace: workspace, outputDirectory: outputDirectory, cacheDirectory: cacheDirectory,
                      state: StatCache.load(from: StatCache.defaultURL(in: workspace.root)),
                      lock: LockFile.read(from: workspace.root.appendingPathComponent(LockFile.fileName)))
    }

    private init(workspace: Workspace, outputDirectory: String, cacheDirectory: String?, state: StatCache, lock: LockFile?) {
        root = workspace.root
        self.outputDirectory = workspace.url(outputDirectory)
        cache = ResultCache(directory: Self.cacheDirectory(flag: cacheDirectory, workspace: workspace))
        self.state = state
        self.lock = lock
    }

    /// A project and its plan, as `build`, `status`, `plan --explain` and `clean` start: the
    /// lockfile and stat cache read, `items` planned with input files hashed through the stat
    /// cache. Prints notices and diagnostics; nil when there is no plan (the command exits 2).
    /// - Parameters:
    ///   - lockedProvider: plan steps that name no provider with the lockfile's, when no key says
    ///     otherwise (`--locked`, `status`, `plan --explain`, `adopt`).
    ///   - notices: print the planner's notices (the offline renderer's; `adopt` says its own).
    static func plan(_ items: [String], provider: String?, outputDirectory: String, cacheDirectory: String?,
                     lockedProvider: Bool, frontend: Frontend,
                     notices: Bool = true) -> (project: ProjectFiles, outcome: Frontend.Outcome, plan: Plan)? {
        let workspace = frontend.workspace
        // Planning needs the stat cache but not the lockfile (unless it names the provider, or a
        // manifest has candidates, whose picks it holds): the lockfile is parsed on another core
        // meanwhile. Its error is reported as before, first.
        let lockURL = workspace.root.appendingPathComponent(LockFile.fileName)
        let reading = Concurrently { try LockFile.read(from: lockURL) }
        let state = StatCache.load(from: StatCache.defaultURL(in: workspace.root))
        func project() -> ProjectFiles? {
            do {
                return ProjectFiles(workspace: workspace, outputDirectory: outputDirectory, cacheDirectory: cacheDirectory,
                                    state: state, lock: try reading.value())
            } catch {
                Console.err("error: \(error)")
                return nil
            }
        }
        let early = lockedProvider ? project() : nil
        if lockedProvider && early == nil { return nil }
        let outcome = frontend.plan(items, provider: provider, outputDirectory: workspace.url(outputDirectory),
                                    fallbackProvider: early?.lockedProvider,
                                    fileDigest: Self.fileDigest(state), inputFile: { state.inputFile($0) },
                                    choices: { (try? reading.value())?.choices ?? CandidateChoices() })
        guard let project = early ?? project() else { return nil }
        if notices { outcome.notices.forEach(Console.err) }
        Console.report(outcome.diagnostics)
        guard let plan = outcome.plan else {
            Console.err(Frontend.summary(outcome.diagnostics, manifests: outcome.files))
            return nil
        }
        return (project, outcome, plan)
    }

    static func cacheDirectory(flag: String?, workspace: Workspace) -> URL {
        if let flag { return workspace.url(flag) }
        if let variable = workspace.environment["KILN_CACHE_DIR"], !variable.isEmpty { return workspace.url(variable) }
        return ResultCache.defaultDirectory(projectRoot: workspace.root)
    }

    /// The SHA-256 of a file by absolute path through the stat cache; nil when it cannot be read.
    var fileDigest: @Sendable (String) -> String? { Self.fileDigest(state) }

    static func fileDigest(_ state: StatCache) -> @Sendable (String) -> String? {
        { try? state.digest(ofFile: $0) }
    }

    /// What the last build left, as the up-to-date check reads it.
    func baseline() -> BuildBaseline {
        let prefix = outputDirectory.path + "/"
        let digest = fileDigest
        return BuildBaseline(records: lock?.baselineRecords() ?? [:]) { digest(prefix + $0) }
    }

    /// The provider the lockfile's paid steps were built with, when they agree: `--locked`,
    /// `status` and `plan --explain` plan with it when neither `--provider` nor a key says
    /// otherwise, so a lock made with OpenAI is checked as OpenAI on a machine without a key.
    var lockedProvider: String? {
        let providers = Set(lock?.steps.values.compactMap(\.provider) ?? [])
        return providers.count == 1 ? providers.first : nil
    }

    /// Removes what a build killed mid-write left: temp files beside kiln.lock, the stat cache,
    /// the output manifest and every planned output, and in the cache. Other builds' are kept.
    func sweepAbandonedWrites(plan: Plan, manifest: URL) {
        var folders: Set<String> = [root.path, stateURL.deletingLastPathComponent().path,
                                    manifest.deletingLastPathComponent().path]
        let base = outputDirectory.path
        for step in plan.steps {
            for output in step.outputs {
                let slash = output.path.lastIndex(of: "/")
                folders.insert(slash.map { base + "/" + output.path[..<$0] } ?? base)
            }
        }
        AbandonedWrites.sweep(folders.sorted().map { URL(fileURLWithPath: $0, isDirectory: true) })
        _ = try? cache.sweepTemporaries()
    }

    /// After a build: records the written files in the stat cache and writes the lockfile (unless
    /// `writeLock` is false: `--locked` proves the lock, it never changes it). Each file is
    /// written only when its content changed, so a no-op build writes nothing.
    func save(after report: BuildReport, plan: Plan, partial: Bool, writeLock: Bool) throws {
        for (_, outputs) in report.produced {
            for (path, sha256) in outputs {
                state.record(path: outputDirectory.path + "/" + path, sha256: sha256)
            }
        }
        try? saveStatCache()   // only a cache: losing it costs re-hashing, nothing else
        guard writeLock else { return }
        // Nothing ran and the lock already holds every step's key: it is current (recomputing
        // 10,000 fingerprints would cost a no-op build ~40 ms for nothing).
        if report.produced.isEmpty, let lock, partial || lock.steps.count == plan.steps.count,
           plan.steps.allSatisfy({ lock.steps[$0.id]?.cacheKey == $0.cacheKey }) { return }
        // Start from the lock as it is now, not as this build found it: another build (of other
        // targets) may have written it meanwhile, and its entries must survive this one.
        let current = (try? LockFile.read(from: lockURL)) ?? lock
        let updated = (current ?? LockFile()).updated(produced: report.produced, upToDate: report.upToDate, plan: plan,
                                                          keepOthers: partial)
        if updated != current { try updated.write(to: lockURL) }
    }
}
