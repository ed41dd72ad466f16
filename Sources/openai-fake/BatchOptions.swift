import Foundation
import ArgumentParser
import KilnFakeOpenAI

/// The Batch API's timing and scripted outcome (`FakeBatchConfiguration`), as flags.
struct BatchOptions: ParsableArguments {
    @Option(help: "Milliseconds a batch stays 'validating'.") var batchValidatingMs = 200
    @Option(help: "Batch lines answered per second.") var batchLinesPerSecond = 50.0
    @Option(help: "Milliseconds a batch stays 'finalizing'.") var batchFinalizingMs = 200
    @Option(help: "Every batch expires after this many lines (the rest: batch_expired in the error file).")
    var batchExpireAfter: Int?
    @Option(help: "Every batch fails validation with this code (e.g. token_limit_exceeded).")
    var batchFailValidation: String?
    @Option(help: "Input lines (1-based, comma-separated) answered with a 400 moderation_blocked.")
    var batchModerationLines = ""
    @Option(help: "Input lines (1-based, comma-separated) answered with a 500 server_error.")
    var batchServerErrorLines = ""
    @Flag(help: "Every line fails: batches complete with a null output_file_id.") var batchZeroOutputs = false
    @Option(help: "Batches hold after this many lines until cancelled.") var batchPauseAfter: Int?
    @Option(help: "Keep files and batches in this folder, so a restarted fake still has them.")
    var stateDir: String?

    func configuration() throws -> FakeBatchConfiguration {
        guard batchLinesPerSecond > 0 else { throw ValidationError("--batch-lines-per-second must be above 0.") }
        let script = FakeBatchScript(expireAfterLines: batchExpireAfter, failValidation: batchFailValidation,
                                     moderationLines: try Self.lines(batchModerationLines, "--batch-moderation-lines"),
                                     serverErrorLines: try Self.lines(batchServerErrorLines, "--batch-server-error-lines"),
                                     zeroOutputs: batchZeroOutputs, pauseAfterLines: batchPauseAfter)
        return FakeBatchConfiguration(validatingDelay: .milliseconds(max(0, batchValidatingMs)),
                                      linesPerSecond: batchLinesPerSecond,
                                      finalizingDelay: .milliseconds(max(0, batchFinalizingMs)), script: script,
                                      stateDirectory: stateDir)
    }

    private static func lines(_ text: String, _ flag: String) throws -> Set<Int> {
        var numbers: Set<Int> = []
        for piece in text.split(separator: ",") {
            guard let number = Int(piece.trimmingCharacters(in: .whitespaces)), number > 0 else {
                throw ValidationError("\(flag): '\(piece)' is not a line number (1, 2, …).")
            }
            numbers.insert(number)
        }
        return numbers
    }
}
