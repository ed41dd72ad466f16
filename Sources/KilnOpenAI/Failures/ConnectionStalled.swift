/// The error `ProgressWatchdog` raises on a connection whose request bytes stopped moving, before it
/// closes the connection (so the retry opens a new one).
struct ConnectionStalled: Error, Equatable, CustomStringConvertible {
    enum Reason: Equatable {
        /// Sent, but the server's TCP acknowledged none of it.
        case unacknowledged
        /// The server stopped reading: the kernel could not send the rest of the request.
        case notReading
    }

    var reason: Reason
    /// The no-progress window that passed, in seconds.
    var seconds: Double

    var description: String {
        let window = ConnectionStalled.format(seconds)
        switch reason {
        case .unacknowledged:
            return "the server's TCP acknowledged none of the request for \(window) (it never took the "
                + "connection: its accept queue may be full, or the connection is dead)"
        case .notReading:
            return "the server took none of the request's remaining bytes for \(window) (it is not reading them)"
        }
    }

    /// `10 s`, `0.5 s`.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
