import Foundation
import KilnCore
import KilnEngine
import KilnImaging
import KilnManifest
import KilnPlaceholder
import Logging

/// Runs a plan with the real components: libvips imaging, the providers, the on-disk cache, and
/// progress on the terminal; wires Ctrl-C (once: graceful stop; twice: cancel in-flight work).
public struct BuildRunner: Sendable {
    public var options: BuildOptions
    public var cacheDirectory: URL?
    public var progress: TerminalProgress.Mode
    public var logger: Logger

    public init(options: BuildOptions, cacheDirectory: URL?, progress: TerminalProgress.Mode, logger: Logger) {
        self.options = options
        self.cacheDirectory = cacheDirectory
        self.progress = progress
        self.logger = logger
    }

    /// The providers a build can use, by name.
    func providers() -> [String: any ImageProvider] {
        ["placeholder": PlaceholderProvider()]
    }

    /// Builds `plan`; returns the summary. Errors setting up (libvips missing, an unknown provider)
    /// are thrown before any step runs.
    public func run(_ plan: Plan) async throws -> BuildSummary {
        try VipsToolkit.initialize()
        let providers = providers()
        let missing = Set(plan.steps.compactMap(\.provider)).subtracting(providers.keys).sorted()
        guard missing.isEmpty else {
            throw SetupError(message: "no provider named \(missing.joined(separator: ", ")); available: \(providers.keys.sorted().joined(separator: ", "))")
        }
        let engine = BuildEngine(plan: plan, providers: providers, toolkit: VipsToolkit(),
                                 cache: cacheDirectory.map(ResultCache.init(directory:)), options: options,
                                 logger: logger, progress: TerminalProgress(mode: progress))
        let interrupts = InterruptHandler(
            first: {
                Console.errRaw("\r\u{1B}[2K")
                Console.err("kiln: stopping — steps in flight finish and are kept (Ctrl-C again to cancel them)")
                engine.requestStop()
            },
            second: {
                Console.err("kiln: cancelling steps in flight (answers already paid for stay in the cache)")
                engine.cancel()
            })
        defer { interrupts.remove() }
        return await engine.run().summary
    }
}

/// A problem found before any step ran.
public struct SetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
