import AsyncHTTPClient
import Foundation
import KilnCache
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a store's own error document says about a failed answer (S3's `<Code>`), and what the
/// person should check; filled in by the backend's layout.
struct AnswerExplanation: Sendable {
    /// `SignatureDoesNotMatch: The request signature we calculated…`; nil when the body says nothing.
    var detail: String?
    /// A kind other than the status's own (S3's `NoSuchBucket` is a refusal, not a miss).
    var kind: RemoteStoreError.Kind?
    /// What to check or set, for this answer.
    var hint: String?
}

/// Turns what went wrong with a request into a `RemoteStoreError` whose message names the store and
/// the request (`remote cache s3://bucket/prefix: GET blob 3f2a…: …`), says what happened and what to
/// do. Nothing it writes holds a credential: it never quotes a URL or a header, and any error text
/// from below is scrubbed of the backend's secrets.
struct RemoteFailure: Sendable {
    /// The store's name (`CacheBackend.name`).
    var store: String
    var settings: RemoteTransferSettings
    /// Secret keys, tokens and passwords to scrub from quoted error text.
    var secrets: [String]

    /// A failure below HTTP: no connection, a timeout, a connection closed mid-answer.
    func transport(_ error: any Error, _ label: String) -> RemoteStoreError {
        let reason: String
        if let http = error as? HTTPClientError, http == .connectTimeout || http == .getConnectionFromPoolTimeout {
            reason = "could not connect within \(RemoteTransferSettings.format(settings.connectTimeout)): the host did "
                + "not answer (down, unreachable, or overloaded). Check the address and that the store is running"
        } else if let http = error as? HTTPClientError, http == .deadlineExceeded {
            reason = "no answer in full within \(RemoteTransferSettings.format(settings.requestTimeout)), the request's "
                + "deadline. The store or the link is too slow; check the store's health"
        } else if let http = error as? HTTPClientError, http == .readTimeout || http == .writeTimeout {
            reason = "no byte moved for \(RemoteTransferSettings.format(settings.idleTimeout)): the store stopped "
                + "answering mid-request, so the connection was abandoned. Check the store's health"
        } else if let code = Self.connectErrno(in: error) {
            reason = code == ECONNREFUSED
                ? "could not connect: the connection was refused (nothing is listening there). Check the address and that the store is running"
                : "could not connect: the host or network is unreachable. Check the address and the network"
        } else if let http = error as? HTTPClientError, http == .alreadyShutdown {
            reason = "the backend was already shut down, so nothing was sent. Make calls before shutdown()"
        } else if let http = error as? HTTPClientError, http == .remoteConnectionClosed {
            reason = "the store closed the connection before it answered in full. It may be restarting or overloaded"
        } else {
            reason = "the connection failed (\(redact(String(describing: error)))). Check the address and the network"
        }
        return RemoteStoreError(.unavailable, "\(prefix(label)): \(reason).")
    }

    /// A status other than success or 404: 401/403 are refusals, 408/429/5xx an unavailable store,
    /// anything else an answer Kiln cannot use; the layout's explanation may say more or reclassify.
    func answer(_ answer: RemoteAnswer, _ label: String, _ explanation: AnswerExplanation) -> RemoteStoreError {
        let status = answer.status
        let kind: RemoteStoreError.Kind
        let meaning: String
        switch status {
        case 401, 403:
            kind = .refused
            meaning = "the store refused the request (credentials or permissions)"
        case 408, 429, 500...599:
            kind = .unavailable
            meaning = "the store is busy or failing; it may work again later"
        case 300...399:
            kind = .invalid
            meaning = "a redirect, which Kiln does not follow; name the store by the address it redirects to"
        default:
            kind = .invalid
            meaning = "an answer Kiln cannot use"
        }
        let detail = explanation.detail.map { " (\(redact($0)))" } ?? ""
        let hint = explanation.hint.map { " \($0)" } ?? ""
        return RemoteStoreError(explanation.kind ?? kind, "\(prefix(label)): HTTP \(status)\(detail): \(meaning).\(hint)")
    }

    /// A body over the in-memory cap (`length`: its Content-Length, when the store sent one).
    func tooLarge(_ label: String, _ length: Int?, limit: Int) -> RemoteStoreError {
        let size = length.map { "\($0) bytes" } ?? "more bytes"
        return RemoteStoreError(.invalid, "\(prefix(label)): the value (\(size)) is over the \(limit)-byte cap for "
            + "values read into memory, so it was refused. A value that large is read with download, to a file.")
    }

    /// A body that ended before its Content-Length.
    func cutShort(_ label: String, _ received: Int, of length: Int) -> RemoteStoreError {
        RemoteStoreError(.invalid, "\(prefix(label)): the body ended after \(received) of its \(length) bytes; "
            + "nothing was kept.")
    }

    /// A blob whose bytes do not have the digest it is stored under.
    func digestMismatch(_ label: String, _ actual: String) -> RemoteStoreError {
        RemoteStoreError(.invalid, "\(prefix(label)): the store's bytes have the digest \(actual), not the one "
            + "they are stored under; they were not used. The store holds a damaged or foreign value.")
    }

    func prefix(_ label: String) -> String { "remote cache \(store): \(label)" }

    /// `text` with every secret replaced by `[redacted]`.
    func redact(_ text: String) -> String {
        secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// The errno of a failed connect, in the error or in NIO's `NIOConnectionError` (one failure
    /// per address tried). KilnOpenAI's `TransportFailure` has the same few lines: the two targets
    /// may not import each other, and no target below both imports NIO.
    static func connectErrno(in error: any Error) -> CInt? {
        let connectErrnos: Set<CInt> = [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL]
        if let io = error as? IOError { return connectErrnos.contains(io.errnoCode) ? io.errnoCode : nil }
        if let connection = error as? NIOConnectionError {
            return connection.connectionErrors.lazy.compactMap { connectErrno(in: $0.error) }.first
        }
        return nil
    }
}
