import Foundation

/// The Prometheus text exposition format (0.0.4), line by line: `# HELP name text`,
/// `# TYPE name type`, or `name{label="value",…} number`, label values escaped.
enum PrometheusText {
    static let name = #"[a-zA-Z_:][a-zA-Z0-9_:]*"#
    static let labelValue = #""(?:[^"\\\n]|\\\\|\\"|\\n)*""#
    static let label = #"[a-zA-Z_][a-zA-Z0-9_]*="# + labelValue
    static let number = #"(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)"#
    /// The three line shapes. Made per call: a `Regex` is not `Sendable`, so it cannot be a `static let`.
    static var patterns: [String] {
        ["^\(name)(?:\\{(?:\(label)(?:,\(label))*,?)?\\})? \(number)(?: -?[0-9]+)?$",
         "^# HELP \(name) .*$",
         "^# TYPE \(name) (?:counter|gauge|histogram|summary|untyped)$"]
    }

    static func isValid(_ line: String) -> Bool {
        patterns.contains { pattern in line.wholeMatch(of: try! Regex(pattern)) != nil }
    }
}
