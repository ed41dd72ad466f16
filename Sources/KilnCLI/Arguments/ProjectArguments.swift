import ArgumentParser

/// Where a project's files are, shared by the commands that read them (build, status, plan, clean).
struct ProjectArguments: ParsableArguments {
    @Option(help: "The output folder (default outputs/).")
    var out: String = "outputs"

    @OptionGroup var cache: CacheArguments

    var cacheDir: String? { cache.cacheDir }
}
