import Foundation

/// An input file checked as the service checks it before a batch runs: every line a JSON object
/// with a unique `custom_id`, `method` POST, the batch's endpoint as `url`, and a `body` object; at
/// least one line and at most 50,000. Bodies are not checked here: a bad body fails only its line.
struct FakeBatchInput: Sendable {
    struct Line: Sendable {
        var number: Int
        var customID: String
        /// The `body` object, as JSON.
        var body: Data
        var model: String?
    }

    static let maxLines = 50_000

    var lines: [Line] = []
    var errors: [FakeBatchLineError] = []

    init(_ data: Data, endpoint: String) {
        var seen: Set<String> = []
        var number = 0
        var rawLines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if rawLines.last?.isEmpty == true { rawLines.removeLast() }
        guard !rawLines.isEmpty else {
            errors = [FakeBatchLineError(code: "empty_file", message: "The batch input file is empty.", line: nil)]
            return
        }
        guard rawLines.count <= Self.maxLines else {
            errors = [FakeBatchLineError(code: "too_many_tasks", message: "The batch input file has "
                + "\(rawLines.count) requests; a batch may have at most \(Self.maxLines).", line: nil)]
            return
        }
        for raw in rawLines {
            number += 1
            var text = Data(raw)
            if text.last == UInt8(ascii: "\r") { text.removeLast() }
            guard let object = try? JSONSerialization.jsonObject(with: text) as? [String: Any] else {
                errors.append(.init(code: "invalid_json_line", message: "This line is not parseable as valid JSON.",
                                    line: number))
                continue
            }
            guard let customID = object["custom_id"] as? String, !customID.isEmpty else {
                errors.append(.init(code: "missing_required_parameter", message: "Missing required parameter: "
                    + "'custom_id'.", line: number))
                continue
            }
            guard seen.insert(customID).inserted else {
                errors.append(.init(code: "duplicate_custom_id", message: "The custom_id '\(customID)' is used "
                    + "more than once in this file; each request needs a unique custom_id.", line: number))
                continue
            }
            guard (object["method"] as? String)?.uppercased() == "POST" else {
                errors.append(.init(code: "invalid_method", message: "Only the POST method is supported.",
                                    line: number))
                continue
            }
            let url = object["url"] as? String ?? ""
            guard url == endpoint else {
                errors.append(.init(code: "url_mismatch", message: "The provided URL '\(url)' does not match the "
                    + "batch endpoint '\(endpoint)'.", line: number))
                continue
            }
            guard let body = object["body"] as? [String: Any],
                  let bodyData = try? JSONSerialization.data(withJSONObject: body) else {
                errors.append(.init(code: "invalid_request", message: "The request body must be a JSON object.",
                                    line: number))
                continue
            }
            lines.append(Line(number: number, customID: customID, body: bodyData, model: body["model"] as? String))
        }
    }
}
