/// One look at a connection that holds request bytes, and whether it is stalled: the pure decision
/// behind `ProgressWatchdog`, kept apart so a test can drive every case without a socket.
///
/// OpenAI sends nothing while it generates, so silence from the server proves nothing. What can be
/// seen is whether the server has *taken* the request: bytes Kiln wrote that the kernel could not
/// send (the server stopped reading and its receive window closed), or bytes sent that the server's
/// TCP never acknowledged (a connection the client thinks is open but the server dropped, e.g. its
/// accept queue overflowed and it discards the handshake's last ACK and the data behind it).
struct ProgressCheck: Equatable {
    /// Writes handed to the channel that the kernel has not taken yet.
    var pendingWrites: Int
    /// Seconds since the last sign of progress: a write taken by the kernel, a byte received, or the
    /// first write after the connection was idle.
    var secondsSinceProgress: Double
    /// Segments sent and not yet acknowledged (`tcp_info.tcpi_unacked`); nil where TCP_INFO is unknown.
    var unackedSegments: UInt32?
    /// Seconds since the server's TCP last acknowledged anything (`tcpi_last_ack_recv`); nil when unknown.
    var secondsSinceLastAck: Double?

    enum Verdict: Equatable {
        /// Nothing is on the way: the server has the whole request (it may be thinking). Stop watching.
        case delivered
        /// Bytes are on the way and moved recently enough. Look again later.
        case moving
        /// Bytes have not moved for the whole window: abandon the connection.
        case stalled(ConnectionStalled.Reason)
    }

    /// The verdict for a no-progress window of `window` seconds.
    func verdict(window: Double) -> Verdict {
        let unacked = (unackedSegments ?? 0) > 0
        guard pendingWrites > 0 || unacked else { return .delivered }
        guard secondsSinceProgress >= window else { return .moving }
        if unacked, let lastAck = secondsSinceLastAck, lastAck >= window { return .stalled(.unacknowledged) }
        if pendingWrites > 0 { return .stalled(.notReading) }
        return .moving
    }
}
