import Foundation

/// Runs a pipeline build of the served project for `POST /api/builds`; implemented by the CLI
/// over `BuildSession` (KilnServe does not import the CLI).
public protocol ServeBuildRunner: Sendable {
    /// Builds `target` (nil: every target), handing each progress event (one JSON object, as
    /// `kiln build --progress json` prints it) to `event`. Returns the build's exit status.
    func build(target: String?, event: @escaping @Sendable (String) -> Void) async throws -> Int32
}

/// One build at a time: a second `POST /api/builds` while one runs is refused (409).
actor BuildSlot {
    let runner: any ServeBuildRunner
    private var running = false

    init(runner: any ServeBuildRunner) {
        self.runner = runner
    }

    /// True when the slot was free and is now taken.
    func take() -> Bool {
        guard !running else { return false }
        running = true
        return true
    }

    func free() {
        running = false
    }
}
