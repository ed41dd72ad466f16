import Foundation
import KilnCore

/// The fake's mutable state: scripted faults, recorded requests, counters, and rendered images.
public actor FakeOpenAIState {
    private var faults: [FakeFault] = []
    private var recorded: [RecordedRequest] = []
    private var inFlight = 0
    private var peak = 0
    private var images: [String: String] = [:]
    private var nextID = 0

    public init() {}

    /// Appends faults; each request (after the auth check) takes the next one.
    public func enqueue(_ more: [FakeFault]) { faults += more }

    /// Every request seen so far, in arrival order.
    public var requests: [RecordedRequest] { recorded }

    /// How many requests arrived.
    public var requestCount: Int { recorded.count }

    /// The most requests ever handled at once.
    public var peakInFlight: Int { peak }

    /// Forgets recorded requests and the peak (faults stay queued).
    public func resetRecording() {
        recorded = []
        peak = inFlight
    }

    func record(_ request: RecordedRequest) { recorded.append(request) }

    func nextFault() -> FakeFault? { faults.isEmpty ? nil : faults.removeFirst() }

    func begin() -> String {
        inFlight += 1
        peak = max(peak, inFlight)
        nextID += 1
        return String(format: "req_fake%08d", nextID)
    }

    func end() { inFlight -= 1 }

    /// Base64 of a rendered image, reused so the fake is never the bottleneck.
    func base64Image(format: ImageFormat, width: Int, height: Int, alpha: Bool) -> String {
        let key = "\(format.rawValue)-\(width)x\(height)-\(alpha)"
        if let cached = images[key] { return cached }
        let encoded = TinyImageEncoder.encode(format: format, width: width, height: height, alpha: alpha)
            .base64EncodedString()
        images[key] = encoded
        return encoded
    }
}
