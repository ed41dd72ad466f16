import Foundation
import KilnCore

/// Reads a batch's output and error files (JSONL: `{"id", "custom_id", "response": {"status_code",
/// "request_id", "body"} | null, "error": {"code", "message"} | null}`) line by line, in pieces,
/// never a whole file or even a whole line in memory: each line goes through `ImagesResponseStream`
/// as it is read, so a 1.8 MB image's base64 is decoded and hashed on the way and only the small
/// rest of the line is kept. Line order is not input order: results are matched on custom_id.
///
/// Use one reader for both files of a batch, so a custom_id in both is reported as a duplicate.
/// `read` does blocking file I/O: call it off the cooperative pool (`BlockingIO.run`).
public struct BatchOutputReader {
    private let expected: [String: BatchLineOrigin]
    private let redactor: SecretRedactor
    private let chunkSize: Int
    private var seen: Set<String> = []

    /// - Parameters:
    ///   - expected: every custom_id submitted, with its step (for messages).
    ///   - secrets: text never to repeat in a message (the API key).
    ///   - chunkSize: bytes read at a time (tests make it small to split lines across reads).
    public init(expected: [String: BatchLineOrigin], secrets: [String] = [], chunkSize: Int = 1 << 20) {
        self.expected = expected
        redactor = SecretRedactor(secrets: secrets)
        self.chunkSize = max(1, chunkSize)
    }

    /// The custom_ids expected and not yet read: not done, to submit again.
    public var missing: [String] { expected.keys.filter { !seen.contains($0) }.sorted() }

    /// Reads the file at `path`, calling `each` once per non-blank line, in file order.
    /// - Throws: `BatchLineError` when the file cannot be read, or what `each` throws.
    public mutating func read(path: String, _ each: (BatchReadEvent) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BatchLineError("cannot open the batch results file \(path).")
        }
        defer { try? handle.close() }
        var stream = ImagesResponseStream(expectedBytes: nil)
        var lineNumber = 1
        var blank = true
        while true {
            let piece: Data
            do {
                piece = try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw BatchLineError("cannot read the batch results file \(path): \(error.localizedDescription)")
            }
            if piece.isEmpty { break }
            try piece.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                var start = 0
                while start < bytes.count {
                    let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
                    let part = UnsafeRawBufferPointer(rebasing: bytes[start..<newline])
                    if blank, part.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) { blank = false }
                    stream.feed(part)
                    guard newline < bytes.count else { break }
                    if !blank { try each(finish(stream, line: lineNumber)) }
                    stream = ImagesResponseStream(expectedBytes: nil)
                    (blank, lineNumber, start) = (true, lineNumber + 1, newline + 1)
                }
            }
        }
        if !blank { try each(finish(stream, line: lineNumber)) }
    }

    /// One line's event, from the line's stream (its images decoded, the rest kept as a skeleton).
    private mutating func finish(_ stream: ImagesResponseStream, line: Int) -> BatchReadEvent {
        guard !stream.isCutShort else { return .problem(.malformed(line: line, reason: "the line ends inside a string")) }
        let parsed: BatchResultLine
        do {
            parsed = try stream.skeleton.withUnsafeBytes { try BatchResultLine(skeleton: $0) }
        } catch {
            return .problem(.malformed(line: line, reason: redactor.redact(String(describing: error))))
        }
        guard let origin = expected[parsed.customID] else {
            return .problem(.unknownCustomID(line: line, customID: redactor.redact(parsed.customID)))
        }
        guard seen.insert(parsed.customID).inserted else {
            return .problem(.duplicateCustomID(line: line, customID: parsed.customID))
        }
        return .result(BatchLineResult(customID: parsed.customID, line: line,
                                       outcome: outcome(parsed, stream: stream, origin: origin)))
    }

    private func outcome(_ parsed: BatchResultLine, stream: ImagesResponseStream, origin: BatchLineOrigin)
        -> BatchLineOutcome {
        let subject = "step \(origin.stepID)"
        guard let status = parsed.status, let body = parsed.bodyRange else {
            return .notRun(code: parsed.errorCode ?? "unknown", message: redactor.redact(parsed.errorMessage ?? ""))
        }
        if status == 200 {
            do {
                return .succeeded(try stream.skeleton.withUnsafeBytes { skeleton in
                    var reader = JSONReader(skeleton, at: body.lowerBound)
                    return try ImagesResponseDecoder.body(&reader, streamed: stream.images, requestID: parsed.requestID)
                })
            } catch {
                let reason = (error as? ImagesResponseDecoder.Undecodable)?.reason ?? "its body is not an ImagesResponse"
                return .failed(ProviderError(.badResponse, "\(subject): the batch answered 200 but \(reason); "
                    + "the step is submitted again.", requestID: parsed.requestID), status: status)
            }
        }
        let bytes = Data(stream.skeleton[body])
        let classified = OpenAIErrorClassifier(subject: subject, model: origin.model, redactor: redactor)
            .classify(status: status, body: bytes, requestID: parsed.requestID, shouldRetry: nil)
        return .failed(classified.error, status: status)
    }
}

/// The small parts of one result line, read from its skeleton (images already taken out).
struct BatchResultLine {
    var customID = ""
    var status: Int?
    var requestID: String?
    /// Where `response.body` is in the skeleton.
    var bodyRange: Range<Int>?
    var errorCode: String?
    var errorMessage: String?

    init(skeleton: UnsafeRawBufferPointer) throws {
        var reader = JSONReader(skeleton)
        var customID: String?
        var hasError = false
        try reader.object { key, reader in
            switch key {
            case "custom_id": customID = try reader.null() ? nil : try reader.string()
            case "response":
                guard try !reader.null() else { return }
                try reader.object { key, reader in
                    switch key {
                    case "status_code": status = try reader.integer()
                    case "request_id": requestID = try reader.null() ? nil : try reader.string()
                    case "body":
                        reader.skipWhitespace()
                        let start = reader.position
                        try reader.skipValue()
                        bodyRange = start..<reader.position
                    default: try reader.skipValue()
                    }
                }
            case "error":
                guard try !reader.null() else { return }
                hasError = true
                try reader.object { key, reader in
                    switch key {
                    case "code": errorCode = try reader.null() ? nil : try reader.string()
                    case "message": errorMessage = try reader.null() ? nil : try reader.string()
                    default: try reader.skipValue()
                    }
                }
            default: try reader.skipValue()
            }
        }
        reader.skipWhitespace()
        guard reader.atEnd else { throw reader.error("text after the line's object") }
        guard let customID, !customID.isEmpty else { throw reader.error("no custom_id") }
        self.customID = customID
        guard (status != nil && bodyRange != nil) || hasError else {
            throw reader.error("neither a response with status_code and body nor an error")
        }
    }
}
