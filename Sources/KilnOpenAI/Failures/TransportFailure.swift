import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore
import NIOPosix

/// Turns an error from below HTTP (connect, stall, deadline, reset) into a `ProviderError` that says
/// what happened and names the manifest key that changes it, and says whether the connection was
/// never opened: such failures sent nothing, so they are retried after a short backoff.
struct TransportFailure {
    var step: String
    var configuration: OpenAIConfiguration
    var redactor: SecretRedactor

    /// The classified error, and true when no connection was opened (nothing was sent).
    struct Classified {
        var error: ProviderError
        var connectFailure: Bool
    }

    /// - Parameters:
    ///   - attemptTimeout: this attempt's deadline in seconds.
    ///   - cutByStep: true when the step's overall deadline, not `timeout`, set this attempt's deadline.
    func classify(_ error: any Error, attemptTimeout: Double, cutByStep: Bool) -> Classified {
        let base = configuration.baseURL
        let what = redactor.redact(String(describing: error))
        if let stalled = error as? ConnectionStalled {
            return Classified(error: ProviderError(.timeout, "\(step): abandoned the connection to \(base): "
                + "\(stalled). Kiln retries such calls on a new connection; if it persists, the server is "
                + "overloaded or a proxy in between is stuck."), connectFailure: false)
        }
        if let http = error as? HTTPClientError {
            if http == .connectTimeout || http == .getConnectionFromPoolTimeout {
                return Classified(error: ProviderError(.timeout, "\(step): could not connect to \(base) within "
                    + "\(ConnectionStalled.format(configuration.connectTimeout)) (the host did not answer: it is "
                    + "down, unreachable, or its accept queue is full). Check the network and "
                    + "providers.openai.base_url (or OPENAI_BASE_URL)."), connectFailure: true)
            }
            if http == .deadlineExceeded || http == .readTimeout {
                let key = cutByStep ? "providers.openai.step_timeout" : "providers.openai.timeout"
                let which = cutByStep ? "the step's overall deadline" : "the per-attempt deadline"
                return Classified(error: ProviderError(.timeout, "\(step): OpenAI did not answer within "
                    + "\(ConnectionStalled.format(attemptTimeout)), \(which). Raise \(key) if generations "
                    + "need longer."), connectFailure: false)
            }
        }
        if let errno = Self.connectErrno(in: error) {
            let reason = errno == ECONNREFUSED ? "the connection was refused: nothing is listening there"
                : "the host or network is unreachable"
            return Classified(error: ProviderError(.transport, "\(step): could not connect to \(base): \(reason) "
                + "(\(what)). Check providers.openai.base_url (or OPENAI_BASE_URL) and that the server is running."),
                connectFailure: true)
        }
        return Classified(error: ProviderError(.transport, "\(step): the connection to OpenAI at \(base) failed "
            + "(\(what)). Check the network and providers.openai.base_url (or OPENAI_BASE_URL)."),
            connectFailure: false)
    }

    /// The errno of a failed connect, found in the error or in NIO's `NIOConnectionError`, which
    /// lists one failure per address tried.
    static func connectErrno(in error: any Error) -> CInt? {
        let connectErrnos: Set<CInt> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL]
        if let io = error as? IOError { return connectErrnos.contains(io.errnoCode) ? io.errnoCode : nil }
        if let connection = error as? NIOConnectionError {
            return connection.connectionErrors.lazy.compactMap { connectErrno(in: $0.error) }.first
        }
        return nil
    }
}
