import ArgumentParser
import KilnCLI

// Inside an `async` function the async `main()` is chosen; from top-level code the synchronous
// one would be, and it cannot run async subcommands.
func runKiln() async {
    await Kiln.runMain()
}

await runKiln()
