import Foundation
import KilnCore
import NIOCore

/// The fake's mutable state: scripted faults, recorded requests, counters, and rendered images.
public actor FakeOpenAIState {
    private var faults: [FakeFault] = []
    private var recorded: [RecordedRequest] = []
    private var inFlight = 0
    private var peak = 0
    private let images = FakeImageCache()
    private var nextID = 0
    private var open: Set<ObjectIdentifier> = []
    private var closed = 0

    public init() {}

    /// Appends faults; each request (after the auth check) takes the next one.
    public func enqueue(_ more: [FakeFault]) { faults += more }

    /// Every request seen so far, in arrival order.
    public var requests: [RecordedRequest] { recorded }

    /// How many requests arrived.
    public var requestCount: Int { recorded.count }

    /// Requests being handled right now (a handler sleeping on its latency counts).
    public var requestsInFlight: Int { inFlight }

    /// The most requests ever handled at once.
    public var peakInFlight: Int { peak }

    /// Connections that carried a request and are still open.
    public var openConnections: Int { open.count }

    /// Connections that carried a request and have since been closed by either side (a client closing
    /// its half counts at once, even while the fake is still sleeping on its answer).
    public var closedConnections: Int { closed }

    /// Counts `channel` as open until the client closes its side or the channel closes.
    func watch(_ channel: any Channel) async {
        let id = ObjectIdentifier(channel)
        guard open.insert(id).inserted else { return }
        let closed: @Sendable () -> Void = { Task { await self.didClose(id) } }
        channel.closeFuture.whenComplete { _ in closed() }
        try? await channel.pipeline.addHandler(CloseObserver(onClose: closed), position: .first).get()
    }

    private func didClose(_ id: ObjectIdentifier) {
        if open.remove(id) != nil { closed += 1 }
    }

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

    /// An `x-request-id` for work not tied to an HTTP request (a batch's lines).
    func nextRequestID() -> String {
        nextID += 1
        return String(format: "req_fake%08d", nextID)
    }

    /// Base64 of a realistic-size PNG answer, a different one each call.
    func realisticBase64(width: Int, height: Int, targetBytes: Int) async throws -> Data {
        try await images.realisticBase64(width: width, height: height, targetBytes: targetBytes)
    }

    /// Base64 of an answer image (rendered once per shape, then reused).
    func base64Image(format: ImageFormat, width: Int, height: Int, transparent: Bool, compression: Int?,
                     index: Int = 0) async throws -> String {
        try await images.base64(width: width, height: height, format: format, transparent: transparent,
                                compression: compression, index: index)
    }
}
