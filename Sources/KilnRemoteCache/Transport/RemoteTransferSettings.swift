import Foundation

/// Limits on every request a remote cache backend sends: how long to wait, how many connections,
/// how large a value held in memory may be. The defaults suit a cache shared over a LAN or a
/// cloud region, where a value is a few megabytes.
public struct RemoteTransferSettings: Sendable, Hashable {
    /// Seconds to open a connection. 5 s: a healthy store on the same network connects in
    /// milliseconds; one that takes longer is down or unreachable, and the build goes on without it.
    public var connectTimeout: Double
    /// Seconds for one whole request, body included. 60 s: a ~2 MB value takes well under a second
    /// on a working link; a minute leaves room for a slow uplink without letting a dead one hold a
    /// build for long.
    public var requestTimeout: Double
    /// Seconds the store may go without sending a byte of its answer (the head, or the body once it
    /// has begun) before the request is abandoned. 15 s: a store that stops sending mid-body fails
    /// in that time, not at the request deadline. A store that stops reading an upload is held to
    /// the request deadline.
    public var idleTimeout: Double
    /// Connections kept per host. 64: a pull fetches 32 answers at once and a build's uploads run
    /// beside its look-ups, each transfer on its own connection; more would only queue inside the
    /// store.
    public var connectionsPerHost: Int
    /// The largest value `get` holds in memory (bytes). 64 MiB: a cache entry is a few MB; anything
    /// larger goes through `download`, which streams to a file.
    public var maxInMemoryBytes: Int

    /// Settings with the defaults above, any of them replaced.
    public init(connectTimeout: Double = 5, requestTimeout: Double = 60, idleTimeout: Double = 15,
                connectionsPerHost: Int = 64, maxInMemoryBytes: Int = 64 << 20) {
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.connectionsPerHost = connectionsPerHost
        self.maxInMemoryBytes = maxInMemoryBytes
    }

    /// "1.5 s", "60 s": a duration as messages print it.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : String(format: "%.1f s", seconds)
    }
}
