import Foundation
import KilnCore
import KilnEngine
import KilnOpenAI
import KilnPlanner
import Logging
import KilnLock

/// `kiln build` from arguments to exit status: plan, decide what is up to date, refuse or run,
/// report, then record the build in kiln.lock and the stat cache.
struct BuildSession: Sendable {
    var selection: SelectionArguments
    var paths: ProjectArguments
    var arguments: BuildArguments
    var remote = RemoteCacheArguments()

    /// Runs the build and returns the exit status (see `ExitStatus`).
    /// - Parameter keep: takes what the build is done with at the end (the command's
    ///   `LeftForExit.keep`); by default it is freed.
    func run(frontend: Frontend = Frontend(), keep: (any Sendable) -> Void = { _ in },
             round: BatchRoundBox? = nil) async -> ExitStatus {
        let (force, locked) = (arguments.force, arguments.locked)
        guard var (project, outcome, plan) = ProjectFiles.plan(
            selection.items, provider: selection.provider, outputDirectory: paths.out,
            cacheDirectory: paths.cacheDir, lockedProvider: locked || arguments.cacheOnly, frontend: frontend) else { return .invalid }
        if let shard = arguments.shardSpec {
            let whole = plan.steps.count
            plan = plan.restricted(to: shard)
            outcome.partial = true
            Console.err("shard \(shard): \(plan.steps.count) of \(whole) step(s), in whole dependency chains (what a step reads is in its shard)")
        }
        var check: UpToDateCheck
        do {
            check = UpToDateCheck(plan: plan, baseline: project.baseline(),
                                  force: force.isEmpty ? [] : try Planner.steps(matching: force, in: plan))
        } catch {
            Console.report(error.diagnostics)
            return .invalid
        }
        // Opened after every check that needs none, and finished on every way out below (its HTTP
        // client must be shut down).
        let remoteCache: RemoteCacheSession?
        do {
            remoteCache = try RemoteCacheSession.open(remote, environment: frontend.workspace.environment,
                                                      manifests: outcome.manifests, local: project.cache)
        } catch {
            Console.err("error: \(error)")
            return .invalid
        }
        if locked, let remoteCache {
            await remoteCache.tier.prefetch(check.stepsToRun(plan).map(\.cacheKey))
        }
        if locked, let refusal = lockedRefusal(plan, check: check, project: project) {
            _ = await remoteCache?.finish(wait: false)
            Console.err(refusal)
            return .refused
        }
        var batchOutcome: BatchRound.Outcome?
        let batchRecords = BatchRecords(root: project.root)
        if needsBatchRound(plan, records: batchRecords, remote: remoteCache != nil) {
            do {
                var batchRound = BatchRound(records: batchRecords, environment: frontend.workspace.environment,
                                            prices: Frontend.prices(outcome.manifests))
                batchRound.sendsInBatch = { [arguments] in arguments.sendsInBatch($0) }
                batchRound.remote = remoteCache?.tier
                var outcomeNow = try await batchRound.run(plan: plan, check: check, project: project)
                outcomeNow.rerun = arguments.wait ? nil : arguments.batch ? "kiln build --batch" : "kiln build"
                batchOutcome = outcomeNow
                round?.outcome = outcomeNow
                if !outcomeNow.excluded.isEmpty {
                    // Left out of this build; kiln.lock keeps what it had for them, as after a shard.
                    plan.steps.removeAll { outcomeNow.excluded.contains($0.id) }
                    outcome.partial = true
                    check = UpToDateCheck(plan: plan, baseline: project.baseline(), force: check.forced)
                }
            } catch {
                Console.err("error: \(error)")
                _ = await remoteCache?.finish(wait: false)
                return error is SetupError ? .invalid : .buildFailed
            }
        }
        var options = buildOptions(outcome, outputDirectory: project.outputDirectory)
        // A step whose request is in a batch still running is never asked for again here.
        options.heldKeys = batchOutcome?.held ?? batchRecords.held()
        if arguments.cacheOnly {
            options.cacheOnly = true
            options.keepGoing = true   // every missing step is listed, not just the first
        }
        if !locked, let refusal = destinationRefusal(plan, check: check, project: project, manifest: options.resolvedManifestPath) {
            Console.err(refusal)
            _ = await remoteCache?.finish(wait: false)
            return .invalid
        }
        for note in concurrencyNotes(plan, check: check) { Console.err(note) }
        project.sweepAbandonedWrites(plan: plan, manifest: options.resolvedManifestPath)
        let gallery = arguments.noGallery ? nil : GallerySession(project: project, manifest: options.resolvedManifestPath)
        let manifestBefore = gallery?.writer.snapshot()
        var runner = BuildRunner(options: options, cacheDirectory: project.cache.directory,
                                 progress: arguments.json ? .jsonLines : (Console.stderrIsTerminal ? .live : .plain),
                                 logger: logger(), environment: frontend.workspace.environment,
                                 retries: arguments.retries, requestsPerMinute: arguments.rpm)
        runner.remote = remoteCache?.tier
        let result: BuildReport
        do {
            result = try await runner.run(plan, upToDate: check, locked: locked || arguments.cacheOnly)
        } catch let refusal as PolicyRefusal {
            Console.err("error: \(refusal)")
            _ = await remoteCache?.finish(wait: false)
            return .refused
        } catch {
            Console.err("error: \(error)")
            _ = await remoteCache?.finish(wait: false)
            return .invalid
        }
        var status = record(result, plan: plan, project: project, partial: outcome.partial)
        if let batchOutcome {
            for line in BatchReport.lines(batchOutcome) { Console.err(line) }
            if !batchOutcome.refused.isEmpty && status == .success { status = .buildFailed }
            if remoteCache?.tier.options.required == true, batchOutcome.unshared + batchOutcome.uncheckedHolds > 0, status == .success {
                Console.err("error: batches could not be shared through the remote cache and --remote-cache-required is set")
                status = .buildFailed
            }
        }
        if arguments.cacheOnly, let missing = notCachedRefusal(result) {
            Console.err(missing)
            status = .refused
        }
        if let gallery {
            try? gallery.writer.rememberPrevious(manifestBefore)
            // A build that ran nothing leaves the page as it is (a no-op stays cheap).
            let ran = result.summary.built + result.summary.cached + result.summary.failed + result.summary.skipped
            if ran > 0 || !gallery.pageExists { await gallery.write(plan: plan) }
        }
        if let remoteCache {
            if let failure = await remoteCache.finish(wait: !arguments.noWaitUpload, noWait: arguments.noWaitUpload) {
                Console.err("error: the remote cache failed and --remote-cache-required is set: \(failure)")
                if status == .success { status = .buildFailed }
            }
            if result.summary.cached + result.summary.built > 0 {
                try? project.cache.recordLastBuild(hits: result.summary.cached, misses: result.summary.built,
                                                   remote: remoteCache.tier.stats)
            }
        }
        keep((project, outcome, plan, check, result))
        return status
    }

    /// Whether this build has batch work before the engine runs: steps to send in batches (`--batch`,
    /// `mode: batch`), batches out to collect, or — with a shared remote cache — OpenAI steps another
    /// machine may have in a batch. Never for a build that makes no provider call.
    func needsBatchRound(_ plan: Plan, records: BatchRecords, remote: Bool) -> Bool {
        guard !arguments.locked, !arguments.cacheOnly else { return false }
        if plan.steps.contains(where: arguments.sendsInBatch) { return true }
        if remote && plan.steps.contains(where: { $0.kind.usesProvider && $0.provider == "openai" }) { return true }
        return records.all().contains { !$0.collected }
    }

    /// Under `--cache-only`: the steps no cache had, as a list to act on; nil when there were none.
    func notCachedRefusal(_ result: BuildReport) -> String? {
        let missing = result.summary.failures.filter { $0.error.contains(EngineError.notCachedMarker) }
        guard !missing.isEmpty else { return nil }
        let readers = result.summary.notRun.filter { $0.because != nil }.count
        return "error: --cache-only: \(missing.count) step(s) are in neither the local nor the remote cache, and no provider was called:\n"
            + missing.map { "  \($0.step)" }.joined(separator: "\n")
            + (readers > 0 ? "\n(\(readers) step(s) that read them did not run)" : "")
            + "\nbuild them first (each shard: kiln build --shard I/N with the same remote cache), then assemble again"
    }

    /// After the run: kiln.lock and the stat cache (kiln.lock not under `--locked`), the cache's
    /// hit record, the summary for the person, and the exit status.
    func record(_ result: BuildReport, plan: Plan, project: ProjectFiles, partial: Bool) -> ExitStatus {
        do {
            try project.save(after: result, plan: plan, partial: partial, writeLock: !arguments.locked)
        } catch {
            Console.err("error: \(error)")
            return .buildFailed
        }
        // A build that ran nothing leaves every file as it was, the hit-rate record included.
        if result.summary.cached + result.summary.built > 0 {
            try? project.cache.recordLastBuild(hits: result.summary.cached, misses: result.summary.built)
        }
        let table = SummaryTableRenderer().render(result.summary)
        Console.err(table)   // a report for the person: stdout carries only data (--json events)
        if result.summary.exitCode != 0 { return .buildFailed }
        return result.stoppedByBudget ? .refused : .success
    }

    /// - Parameter outputDirectory: `--out` resolved against the workspace, as the plan and the
    ///   stat cache see it.
    func buildOptions(_ outcome: Frontend.Outcome, outputDirectory: URL) -> BuildOptions {
        BuildOptions(outputDirectory: outputDirectory,
                     manifestPath: arguments.manifest.map(URL.init(fileURLWithPath:)), jobs: arguments.jobs,
                     keepGoing: arguments.keepGoing,
                     prices: Frontend.prices(outcome.manifests), keepEarlierFiles: outcome.partial,
                     maxCostUSD: arguments.maxCost, linkOutputs: arguments.linkOutputs)
    }

    /// `--jobs` above the `max_in_flight` of a provider this build calls: says where the lower cap
    /// applies, once, before anything runs (a build otherwise just looks slower than asked).
    func concurrencyNotes(_ plan: Plan, check: UpToDateCheck) -> [String] {
        let used = Set(check.stepsToRun(plan).compactMap { $0.kind.usesProvider ? $0.provider : nil })
        return used.sorted().compactMap { name in
            let configured = plan.providers[name]?.maxInFlight
            guard let limit = configured ?? (name == "openai" ? OpenAIProvider.defaultMaxInFlight : nil),
                  arguments.jobs > limit else { return nil }
            return "note: --jobs \(arguments.jobs), but at most \(limit) \(name) call(s) run at once "
                + "(providers.\(name).max_in_flight\(configured == nil ? ", default \(limit)" : "")); "
                + "raise it in the manifest if your rate limits allow"
        }
    }

    func logger() -> Logger {
        var logger = Logger(label: "kiln") { ConsoleLogHandler(label: $0) }
        logger.logLevel = arguments.verbose ? .debug : .warning
        return logger
    }

    /// Why the files this build writes cannot be written (a folder that cannot be made or written,
    /// a full disk), checked before the first paid call; nil when they can.
    func destinationRefusal(_ plan: Plan, check: UpToDateCheck, project: ProjectFiles, manifest: URL) -> String? {
        let toRun = check.stepsToRun(plan)
        guard !toRun.isEmpty else { return nil }
        let base = project.outputDirectory.path
        // Outputs, the output manifest, the cache, and where kiln.lock and the stat cache are written.
        var folders = [base, manifest.deletingLastPathComponent().path, project.cache.directory.path,
                       project.root.path, project.stateURL.deletingLastPathComponent().path]
        var outputBytes = 0, cacheBytes = 0
        for step in toRun {
            for output in step.outputs {
                if let slash = output.path.utf8.lastIndex(of: UInt8(ascii: "/")) { folders.append(base + "/" + output.path[..<slash]) }
            }
            let bytes = DestinationCheck.estimatedBytes(of: step)
            outputBytes += bytes.outputs
            cacheBytes += bytes.cache
        }
        let bytes = Dictionary([(base, outputBytes), (project.cache.directory.path, cacheBytes)], uniquingKeysWith: +)
        let problems = DestinationCheck.problems(folders: folders, estimatedBytes: bytes)
        guard !problems.isEmpty else { return nil }
        return problems.map { "error: \($0)" }.joined(separator: "\n") + "\nnothing was built or paid for"
    }

    /// Under `--locked`: why the build cannot be proven from kiln.lock, the cache and the files
    /// on disk without calling a provider; nil when it can.
    func lockedRefusal(_ plan: Plan, check: UpToDateCheck, project: ProjectFiles) -> String? {
        guard let lock = project.lock else {
            return "error: --locked needs \(LockFile.fileName), and there is none: run `kiln build` (with OPENAI_API_KEY set) and commit \(LockFile.fileName) and outputs/"
        }
        let stale = StalenessReport.lockedViolations(plan: plan, lock: lock, check: check,
                                                     cacheHasKey: project.cache.hasEntry)
        guard !stale.isEmpty else { return nil }
        let lines = stale.map { "  \($0.reason.line(for: $0.step))" }
        return "error: --locked: \(stale.count) step(s) are not what \(LockFile.fileName) records, and building them would call a provider:\n"
            + lines.joined(separator: "\n")
            + "\nrun `kiln build` with OPENAI_API_KEY set to update them, then commit \(LockFile.fileName) and outputs/"
    }
}
