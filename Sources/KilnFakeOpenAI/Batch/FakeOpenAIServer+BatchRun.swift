import Foundation
import KilnCore

/// A batch's life in compressed time: `validating` (the file checked as the service checks it) →
/// `in_progress` (lines answered one by one at `linesPerSecond`, each body validated and answered
/// by the same code as the synchronous routes, so a bad body fails only its line) → `finalizing` →
/// `completed`; or `failed`, `expired`, `cancelling` → `cancelled` as the script or a cancel says.
extension FakeOpenAIServer {
    func runBatch(_ id: String) async {
        let settings = configuration.batch
        try? await Task.sleep(for: settings.validatingDelay)
        guard let batch = await batches.batch(id) else { return }
        let now: @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }
        if batch.cancelRequested {
            await batches.update(id) { $0.status = "cancelled"; $0.cancelledAt = now() }
            return
        }
        let data = await batches.contents(batch.inputFileID) ?? Data()
        let input = FakeBatchInput(data, endpoint: batch.endpoint)
        var errors = input.errors
        if let code = batch.script.failValidation {
            errors.append(FakeBatchLineError(code: code, message: code == "token_limit_exceeded"
                ? "Enqueued token limit reached for \(input.lines.first?.model ?? "gpt-image-1.5"). Please try "
                    + "again once some in_progress batches have been completed." : "The batch was rejected (\(code)).",
                line: nil))
        }
        guard errors.isEmpty else {
            let rejected = errors
            await batches.update(id) { $0.status = "failed"; $0.failedAt = now(); $0.errors = rejected }
            return
        }
        await batches.countSubmissions(input.lines.map(\.customID))
        await batches.update(id) { batch in
            batch.status = "in_progress"
            batch.inProgressAt = now()
            batch.expiresAt = batch.createdAt + 86_400
            batch.total = input.lines.count
            batch.model = input.lines.first?.model ?? "gpt-image-1.5"
        }
        let folder = await batches.directory
        let outputPath = folder + "/.output-\(id).jsonl", errorPath = folder + "/.errors-\(id).jsonl"
        FileManager.default.createFile(atPath: outputPath, contents: nil)
        FileManager.default.createFile(atPath: errorPath, contents: nil)
        guard let output = FileHandle(forWritingAtPath: outputPath), let failures = FileHandle(forWritingAtPath: errorPath)
        else { return }
        var (wroteOutput, wroteErrors) = (false, false)
        var ending = "completed"
        for (index, line) in input.lines.enumerated() {
            if let pause = batch.script.pauseAfterLines, index >= pause {
                while await batches.batch(id)?.cancelRequested == false { try? await Task.sleep(for: .milliseconds(20)) }
            }
            if await batches.batch(id)?.cancelRequested == true {
                ending = "cancelled"
                break
            }
            if let limit = batch.script.expireAfterLines, index >= limit {
                for rest in input.lines[index...] {
                    failures.write(Self.expiredLine(rest.customID, id: await batches.newID("batch_req_")))
                }
                wroteErrors = true
                let notRun = input.lines.count - index
                await batches.update(id, persist: false) { $0.failed += notRun }
                ending = "expired"
                break
            }
            if settings.linesPerSecond > 0 { try? await Task.sleep(for: .seconds(1 / settings.linesPerSecond)) }
            let result = await answerLine(line, endpoint: batch.endpoint, script: batch.script)
            let text = Self.outputLine(line.customID, id: await batches.newID("batch_req_"), status: result.status,
                                       requestID: result.requestID, body: result.body)
            if result.status == 200 { output.write(text); wroteOutput = true } else { failures.write(text); wroteErrors = true }
            await batches.update(id, persist: false) { batch in
                if result.status == 200 { batch.completed += 1 } else { batch.failed += 1 }
                batch.inputTokens += result.usage.input
                batch.outputTokens += result.usage.output
            }
        }
        try? output.close()
        try? failures.close()
        if ending == "completed" {
            await batches.update(id) { $0.status = "finalizing"; $0.finalizingAt = now() }
            try? await Task.sleep(for: settings.finalizingDelay)
        }
        var outputFile: FakeStoredFile?, errorFile: FakeStoredFile?
        if wroteOutput {
            outputFile = try? await batches.adoptFile(at: outputPath, filename: "batch_\(id)_output.jsonl", purpose: "batch_output")
        }
        if wroteErrors {
            errorFile = try? await batches.adoptFile(at: errorPath, filename: "batch_\(id)_error.jsonl", purpose: "batch_output")
        }
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
        let (outputID, errorID, final) = (outputFile?.id, errorFile?.id, ending)
        await batches.update(id) { batch in
            batch.outputFileID = outputID
            batch.errorFileID = errorID
            batch.status = final
            switch final {
            case "cancelled": batch.cancelledAt = now()
            case "expired": batch.expiredAt = now()
            default: batch.completedAt = now()
            }
        }
    }

    /// One line's answer: status, request id, body (an `ImagesResponse` or an `ErrorResponse`) and tokens.
    private func answerLine(_ line: FakeBatchInput.Line, endpoint: String, script: FakeBatchScript) async
        -> (status: Int, requestID: String, body: Data, usage: (input: Int, output: Int)) {
        let requestID = await state.nextRequestID()
        do {
            if script.moderationLines.contains(line.number) { throw Self.error(for: .moderationBlocked)! }
            if script.zeroOutputs || script.serverErrorLines.contains(line.number) {
                throw Self.error(for: .serverError(status: 500))!
            }
            let members = try Self.jsonObject(line.body)
            if members.contains(where: { $0.0 == "stream" }) {
                throw FakeAPIError.invalid("stream", "stream is not supported in the Batch API: results arrive "
                    + "through the output file.", code: "unsupported_parameter")
            }
            let valid: FakeImageRequest
            if endpoint == "/v1/images/edits" {
                let files = await batches.contents(of: Self.referencedFileIDs(members))
                valid = try Self.validateJSONEdit(members, files: files)
            } else {
                valid = try Self.validateGeneration(members.map { (name: $0.0, value: Self.scalarText($0.1)) })
            }
            try checkModeration(valid)
            let body = try await answer(valid)
            let usage = valid.usage
            return (200, requestID, body, (usage["input_tokens"] as? Int ?? 0, usage["output_tokens"] as? Int ?? 0))
        } catch let error as FakeAPIError {
            return (error.status, requestID, error.body, (0, 0))
        } catch {
            let failure = FakeAPIError(status: 500, message: "The fake failed: \(error)", type: "server_error",
                                       code: "server_error")
            return (500, requestID, failure.body, (0, 0))
        }
    }

    /// `{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error": null}` and a newline;
    /// the body is spliced in as it is (its base64 is copied once).
    static func outputLine(_ customID: String, id: String, status: Int, requestID: String, body: Data) -> Data {
        var line = Data("{\"id\":\"\(id)\",\"custom_id\":".utf8)
        line.append(quoted(customID))
        line.append(Data(",\"response\":{\"status_code\":\(status),\"request_id\":\"\(requestID)\",\"body\":".utf8))
        line.append(body)
        line.append(Data("},\"error\":null}\n".utf8))
        return line
    }

    /// The error-file line of a request that never ran because the batch expired.
    static func expiredLine(_ customID: String, id: String) -> Data {
        var line = Data("{\"id\":\"\(id)\",\"custom_id\":".utf8)
        line.append(quoted(customID))
        line.append(Data((",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"This request could "
            + "not be executed before the completion window expired.\"}}\n").utf8))
        return line
    }

    private static func quoted(_ text: String) -> Data {
        (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
    }
}
