import ArgumentParser

/// The remote cache flags, declared once for `kiln build` and `kiln cache push|verify|stats`.
struct RemoteCacheArguments: ParsableArguments {
    @Option(help: ArgumentHelp("A cache shared by every machine: http(s)://HOST[/PATH] (bazel-remote layout; nginx with WebDAV), s3://BUCKET[/PREFIX] or file:///PATH (default $KILN_REMOTE_CACHE, else the manifests' cache.remote).",
                               valueName: "url"))
    var remoteCache: String?

    @Flag(help: "Use no remote cache, whatever $KILN_REMOTE_CACHE or the manifests say.")
    var noRemoteCache = false

    @Flag(help: "Read from the remote cache, never write to it (pull requests from forks). Also $KILN_REMOTE_CACHE_READ_ONLY=1.")
    var remoteCacheReadOnly = false

    @Flag(help: "Fail when the remote cache fails (default: one warning, and the build goes on without it).")
    var remoteCacheRequired = false

    func validate() throws {
        if noRemoteCache && remoteCache != nil {
            throw ValidationError("--remote-cache and --no-remote-cache cannot be used together")
        }
    }
}
