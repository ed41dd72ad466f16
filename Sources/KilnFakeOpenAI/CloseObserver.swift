import NIOCore

/// Sits first in a connection's pipeline and reports when the client closes its side: the server
/// allows half-closure, so the channel itself stays open until the (possibly sleeping) handler answers.
final class CloseObserver: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    private let onClose: @Sendable () -> Void

    init(onClose: @escaping @Sendable () -> Void) {
        self.onClose = onClose
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed? = event as? ChannelEvent { onClose() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose()
        context.fireChannelInactive()
    }
}
