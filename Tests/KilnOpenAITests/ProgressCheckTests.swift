import Testing
@testable import KilnOpenAI

@Suite("When a connection counts as stalled")
struct ProgressCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var check: ProgressCheck
        var expected: ProgressCheck.Verdict
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "request delivered, server silent for minutes (generating): not stalled",
             check: .init(pendingWrites: 0, secondsSinceProgress: 120, unackedSegments: 0, secondsSinceLastAck: 120),
             expected: .delivered),
        Case(name: "bytes unacknowledged for the whole window (dropped by a full accept queue): stalled",
             check: .init(pendingWrites: 0, secondsSinceProgress: 10, unackedSegments: 3, secondsSinceLastAck: 10),
             expected: .stalled(.unacknowledged)),
        Case(name: "unacknowledged, but the window has not passed since the write: wait",
             check: .init(pendingWrites: 0, secondsSinceProgress: 4, unackedSegments: 3, secondsSinceLastAck: 60),
             expected: .moving),
        Case(name: "unacknowledged bytes, but acknowledgements still arrive (slow link): wait",
             check: .init(pendingWrites: 0, secondsSinceProgress: 12, unackedSegments: 40, secondsSinceLastAck: 0.2),
             expected: .moving),
        Case(name: "writes the kernel cannot take for the whole window (server not reading): stalled",
             check: .init(pendingWrites: 1, secondsSinceProgress: 10, unackedSegments: 0, secondsSinceLastAck: 0.1),
             expected: .stalled(.notReading)),
        Case(name: "writes pending, progress recently: wait",
             check: .init(pendingWrites: 2, secondsSinceProgress: 1, unackedSegments: 0, secondsSinceLastAck: 0.1),
             expected: .moving),
        Case(name: "no TCP_INFO, nothing pending: delivered",
             check: .init(pendingWrites: 0, secondsSinceProgress: 30, unackedSegments: nil, secondsSinceLastAck: nil),
             expected: .delivered),
    ]

    @Test("Verdicts for a 10 s window", arguments: cases)
    func verdicts(_ item: Case) {
        #expect(item.check.verdict(window: 10) == item.expected)
    }
}
