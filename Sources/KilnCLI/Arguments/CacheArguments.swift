import ArgumentParser

/// `--cache-dir`, declared once for every command that opens the result cache.
struct CacheArguments: ParsableArguments {
    @Option(help: "The result cache (default $KILN_CACHE_DIR, else .kiln/cache).")
    var cacheDir: String?
}
