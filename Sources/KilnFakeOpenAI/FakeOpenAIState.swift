import Foundation
import KilnCore

/// The fake's mutable state: scripted faults, recorded requests, counters, and rendered images.
public actor FakeOpenAIState {
    private var faults: [FakeFault] = []
    private var recorded: [RecordedRequest] = []
    private var inFlight = 0
    private var peak = 0
    private let images = FakeImageCache()
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

    /// Base64 of an answer image (rendered once per shape, then reused).
    func base64Image(format: ImageFormat, width: Int, height: Int, transparent: Bool, compression: Int?) async throws
        -> String {
        try await images.base64(width: width, height: height, format: format, transparent: transparent,
                                compression: compression)
    }
}
