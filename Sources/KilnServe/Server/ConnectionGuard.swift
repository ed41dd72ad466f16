import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The connections open at once, all clients together.
final class ConnectionCount: Sendable {
    let limit: Int
    private let open = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Counts one more; false (and not counted) when `limit` are open.
    func enter() -> Bool {
        open.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
    }

    func leave() { open.withLock { $0 -= 1 } }
    var current: Int { open.withLock { $0 } }
}

/// One per connection, between the HTTP codec and Hummingbird:
/// - a response that ends before its request's body was read (a 413, a 401, a 404 answered from
///   the headers) says `Connection: close` and closes the connection once sent, so the rest of the
///   body is never read (Hummingbird would otherwise drain it, however large);
/// - a response the client does not take within `writeTimeout` (it stopped reading) closes the
///   connection;
/// - past `ConnectionCount.limit` open connections, a new one is closed at once.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let count: ConnectionCount
    private let writeTimeout: TimeAmount
    private var counted = false
    /// Requests whose end was read, and responses begun: response n is for request n.
    private var requestsEnded = 0
    private var responsesBegun = 0
    private var closeAfterResponse = false

    init(count: ConnectionCount, writeTimeout: TimeAmount) {
        self.count = count
        self.writeTimeout = writeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if admit(context) { context.fireChannelActive() }
    }

    /// Counts the connection once; closes it when too many are open.
    @discardableResult
    private func admit(_ context: ChannelHandlerContext) -> Bool {
        if counted { return true }
        guard count.enter() else {
            context.close(promise: nil)
            return false
        }
        counted = true
        return true
    }

    /// Uncounts the connection, once, whichever of the two ends comes first.
    private func uncount() {
        guard counted else { return }
        count.leave()
        counted = false
    }

    func channelInactive(context: ChannelHandlerContext) {
        uncount()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        uncount()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if lingering {
            // The answer is out and our side is shut: what still comes is dropped, up to a bound.
            if case let .body(bytes) = part { lingered += bytes.readableBytes }
            if lingered > Self.lingerBytes { context.close(promise: nil) }
            return
        }
        if case .end = part { requestsEnded += 1 }
        context.fireChannelRead(data)
    }

    /// After a refusal, how long and how much of the unread body to take and drop before closing:
    /// closing at once with bytes unread makes the kernel reset the connection, and the client
    /// could lose the refusal itself (a lingering close, as nginx does).
    static let lingerTime = TimeAmount.seconds(2)
    static let lingerBytes = 16 << 20
    private var lingering = false
    private var lingered = 0

    /// Shuts our side once the refusal is sent, drops what still comes for a moment, then closes.
    private func linger(_ context: ChannelHandlerContext) {
        lingering = true
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let output = context.eventLoop.makePromise(of: Void.self)
        output.futureResult.whenFailure { _ in bound.value.close(promise: nil) }
        context.close(mode: .output, promise: output)
        context.eventLoop.scheduleTask(in: Self.lingerTime) { bound.value.close(promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case var .head(head):
            responsesBegun += 1
            if requestsEnded < responsesBegun {
                closeAfterResponse = true
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
            } else {
                context.write(data, promise: promise)
            }
        case .body:
            context.write(data, promise: promise)
        case .end:
            let sent = context.eventLoop.makePromise(of: Void.self)
            if let promise { sent.futureResult.cascade(to: promise) }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let me = NIOLoopBound(self, eventLoop: context.eventLoop)
            let timer = context.eventLoop.scheduleTask(in: writeTimeout) { bound.value.close(promise: nil) }
            let close = closeAfterResponse
            closeAfterResponse = false
            sent.futureResult.whenComplete { result in
                timer.cancel()
                guard close else { return }
                if case .success = result { me.value.linger(bound.value) } else { bound.value.close(promise: nil) }
            }
            context.write(data, promise: sent)
        }
    }
}
