import Foundation
import NIOCore

/// Sits at the head of every connection's pipeline and abandons a connection whose request bytes stop
/// moving for `window` seconds (see `ProgressCheck` for what counts): it raises `ConnectionStalled`,
/// (and records it in the provider's `StallLog`), which fails the request on that connection, and closes the connection so a retry opens a new one.
///
/// It watches only while bytes are on the way (from a write until the server's TCP has acknowledged
/// everything), so an idle pooled connection, or a request the server has taken and is generating
/// for, costs no timers. It never judges the server's silence: that is the per-attempt deadline's job.
final class ProgressWatchdog: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let window: Double
    private let log: StallLog
    /// The caller's promises of writes the kernel has not taken yet, by write number.
    private var pending: [Int: EventLoopPromise<Void>?] = [:]
    private var writeNumber = 0
    private var lastProgress = NIODeadline.now()
    private var check: Scheduled<Void>?

    init(window: Double, log: StallLog) {
        self.window = window
        self.log = log
    }

    /// Installs a watchdog at the head of `channel`'s pipeline (for AHC's connection debug initializers).
    static func install(on channel: any Channel, window: Double, log: StallLog) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ProgressWatchdog(window: window, log: log), position: .first)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if check == nil { lastProgress = .now() }  // idle until now: the window starts here
        writeNumber += 1
        let number = writeNumber
        pending[number] = promise
        let taken = context.eventLoop.makePromise(of: Void.self)
        taken.futureResult.assumeIsolated().whenComplete { result in
            self.lastProgress = .now()
            // Absent when a stall already failed it (the close then fails `taken` a second time).
            guard let original = self.pending.removeValue(forKey: number) else { return }
            original?.completeWith(result)
        }
        context.write(data, promise: taken)
        scheduleCheck(context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastProgress = .now()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    private func scheduleCheck(_ context: ChannelHandlerContext) {
        guard check == nil, context.channel.isActive else { return }
        let interval = TimeAmount.milliseconds(Int64(max(window / 4, 0.05) * 1000))
        check = context.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            self.check = nil
            self.look(context)
        }
    }

    /// Reads TCP_INFO where the platform has it, then decides.
    private func look(_ context: ChannelHandlerContext) {
        #if os(Linux)
        if let socket = context.channel as? any SocketOptionProvider {
            socket.getTCPInfo().assumeIsolated().whenComplete { result in
                let info = try? result.get()
                self.decide(context, unacked: info?.tcpi_unacked,
                            lastAck: info.map { Double($0.tcpi_last_ack_recv) / 1000 })
            }
            return
        }
        #endif
        decide(context, unacked: nil, lastAck: nil)
    }

    private func decide(_ context: ChannelHandlerContext, unacked: UInt32?, lastAck: Double?) {
        guard context.channel.isActive else { return }
        let since = Double((NIODeadline.now() - lastProgress).nanoseconds) / 1e9
        let state = ProgressCheck(pendingWrites: pending.count, secondsSinceProgress: since,
                                  unackedSegments: unacked, secondsSinceLastAck: lastAck)
        switch state.verdict(window: window) {
        case .delivered:
            return
        case .moving:
            scheduleCheck(context)
        case let .stalled(reason):
            // Fail the waiting writes with the reason first: closing would fail them with a bare
            // "I/O on closed channel", and whoever hears first decides the request's error.
            let error = ConnectionStalled(reason: reason, seconds: window)
            log.record(error)
            let waiting = pending.values
            pending.removeAll()
            for promise in waiting { promise?.fail(error) }
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }
}
