import ArgumentParser
import Foundation

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the planned images: run steps concurrently, cache every result, write outputs/.",
        discussion: """
        Without OPENAI_API_KEY (or with --provider placeholder) images are rendered offline. A step whose cache key and files are unchanged since the last build does not run; a cache hit costs nothing. Every build records each step's key and output digests in kiln.lock (commit it with outputs/). Ctrl-C once stops starting steps and lets the running ones finish; twice cancels them. With a remote cache (--remote-cache, $KILN_REMOTE_CACHE or the manifests' cache.remote; docs/cache.md) a local miss is looked up there before any provider call, and new results are uploaded. Exit status: 0 built, 1 a step failed or the build was interrupted, 2 invalid manifest or arguments, 3 refused by --max-cost or --locked, or --cache-only found steps in no cache.

        Examples:
          kiln build                                  # every pipeline in pipelines/
          kiln build hero stickers/corgi-pack@cat-happy
          kiln build -k --jobs 16                     # keep going past failures
          kiln build --json > events.jsonl            # JSON Lines for CI tooling
          kiln build --force 'stickers/corgi-pack@*'  # re-roll: pay for new images
          kiln build --locked                         # CI: no key, no calls
          kiln build --shard 2/3 --remote-cache s3://team-cache/kiln
          kiln build --cache-only --remote-cache s3://team-cache/kiln   # assemble the shards
        """)

    @OptionGroup var selection: SelectionArguments

    @OptionGroup var project: ProjectArguments

    @OptionGroup var options: BuildArguments

    @OptionGroup var remote: RemoteCacheArguments

    func run() async throws {
        let session = BuildSession(selection: selection, paths: project, arguments: options, remote: remote)
        guard options.wait else {
            let status = await session.run(keep: LeftForExit.keep)
            if status != .success { throw ExitCode(status.rawValue) }
            return
        }
        // --wait (with --batch or steps marked `mode: batch`): a round (collect, submit what is ready,
        // build the rest), then quiet polls (`BatchWatch`: one GET per batch, the wait growing to a
        // minute) until a batch is final, and round again while batches are out.
        var delay = 1.0
        while true {
            let round = BatchRoundBox()
            let status = await session.run(round: round)
            // A step that failed (a refusal in a batch) does not stop the wait for the others.
            guard status == .success || status == .buildFailed, round.outcome?.pending == true else {
                if status != .success { throw ExitCode(status.rawValue) }
                return
            }
            if let records = round.outcome?.records {
                delay = try await BatchWatch(records: records).wait(after: delay)
            } else {
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 1.5, 60)
            }
        }
    }
}
