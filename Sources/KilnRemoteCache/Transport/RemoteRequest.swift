import Foundation
import NIOCore
import NIOHTTP1

/// One request to a remote store, ready to send: the URL, its headers (authorization included),
/// and what it is for, in the words messages use.
struct RemoteRequest: Sendable {
    var method: HTTPMethod
    var url: String
    var headers: HTTPHeaders
    /// `GET blob 3f2a…`: the method and the address, never the URL (a URL may carry a credential).
    var label: String
}

/// What a request sends.
enum RemoteBody: Sendable {
    case none
    case data(Data)
    /// Bytes already in a buffer (a file read once, then hashed): sent without another copy.
    case buffer(ByteBuffer)
    /// The bytes `range` of a file, streamed with their count as the Content-Length.
    case file(URL, range: Range<Int>)

    /// How many bytes the body has.
    var count: Int {
        switch self {
        case .none: 0
        case let .data(data): data.count
        case let .buffer(buffer): buffer.readableBytes
        case let .file(_, range): range.count
        }
    }
}

/// The store's answer, as far as the caller needs it: the status, the headers, and for a failed
/// answer the start of its body (which names the error, e.g. S3's `<Code>`).
struct RemoteAnswer: Sendable {
    var status: Int
    var headers: HTTPHeaders
    /// At most `errorBodyLimit` bytes of a non-2xx body; empty for a success.
    var errorBody: Data = Data()

    /// How much of a failed answer's body is kept: enough for an S3 or WebDAV error document.
    static let errorBodyLimit = 8 << 10

    var isSuccess: Bool { (200..<300).contains(status) }
    var isMissing: Bool { status == 404 }
}
