import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the request's channel, so the fake can drop a connection
/// (`FakeFault.connectionReset`) and notice when a client closes one.
struct FakeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
