import AsyncHTTPClient
import Foundation
import KilnCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension BatchClient {
    /// Downloads a file's content (`GET /files/{id}/content`, e.g. a batch's output or error file)
    /// to `path`: streamed into a temp file beside it, renamed into place once whole, so a reader
    /// never sees half of one and a 200 MB file is never held in memory. A download cut short is
    /// started again (the temp file removed).
    /// - Throws: `ProviderError` (the service refused, or the file cannot be written).
    public func downloadFile(id: String, to path: String) async throws {
        let subject = "download of file \(id)"
        let folder = (path as NSString).deletingLastPathComponent
        let temp = (folder.isEmpty ? "." : folder) + "/" + AtomicFile.temporaryName(for: (path as NSString).lastPathComponent)
        _ = try await exchange(subject, .GET, "/files/\(Self.segment(id))/content", idempotent: true, read: { body in
            guard FileManager.default.createFile(atPath: temp, contents: nil),
                  let handle = FileHandle(forWritingAtPath: temp) else {
                throw BatchFileFailure("\(subject): cannot create \(temp)")
            }
            do {
                for try await chunk in body {
                    try handle.write(contentsOf: chunk.readableBytesView)
                }
                try handle.close()
            } catch {
                try? handle.close()
                try? FileManager.default.removeItem(atPath: temp)
                throw error
            }
            return ByteBuffer()
        }, body: nil)
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temp)
            throw ProviderError(.transport, "\(subject): cannot move the download into \(path): \(reason).")
        }
    }
}

/// A local file the batch client could not read or write; not retried.
struct BatchFileFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A `POST /files` body: the `purpose` part, then the file's part streamed from disk in 1 MB
/// pieces, with its length known up front (sent with `Content-Length`, not chunked).
struct MultipartFileUpload: Sendable {
    let path: String
    let size: Int
    let boundary: String
    let head: Data
    let tail: Data

    init(path: String, purpose: String) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int, FileManager.default.isReadableFile(atPath: path) else {
            throw ProviderError(.invalidRequest, "batch upload: cannot read \(path).")
        }
        self.path = path
        self.size = size
        let boundary = "kiln-" + UUID().uuidString
        self.boundary = boundary
        let name = (path as NSString).lastPathComponent.replacingOccurrences(of: "\"", with: "_")
        let type = name.lowercased().hasSuffix(".jsonl") ? "application/jsonl"
            : ImageFormat(pathExtension: (name as NSString).pathExtension).map { "image/\($0.rawValue)" }
            ?? "application/octet-stream"
        head = Data(("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n\(purpose)\r\n"
            + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(name)\"\r\n"
            + "Content-Type: \(type)\r\n\r\n").utf8)
        tail = Data("\r\n--\(boundary)--\r\n".utf8)
    }

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// A fresh body (each attempt reads the file again).
    func body() -> HTTPClientRequest.Body {
        .stream(Pieces(upload: self), length: .known(Int64(head.count + size + tail.count)))
    }

    /// The head, the file in 1 MB pieces, the tail.
    struct Pieces: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let upload: MultipartFileUpload

        struct AsyncIterator: AsyncIteratorProtocol {
            let upload: MultipartFileUpload
            var stage = 0
            var handle: FileHandle?

            mutating func next() async throws -> ByteBuffer? {
                switch stage {
                case 0:
                    stage = 1
                    return ByteBuffer(data: upload.head)
                case 1:
                    if handle == nil {
                        guard let opened = FileHandle(forReadingAtPath: upload.path) else {
                            throw BatchFileFailure("batch upload: cannot open \(upload.path)")
                        }
                        handle = opened
                    }
                    if let piece = try handle?.read(upToCount: 1 << 20), !piece.isEmpty {
                        return ByteBuffer(data: piece)
                    }
                    try? handle?.close()
                    stage = 2
                    return ByteBuffer(data: upload.tail)
                default:
                    return nil
                }
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(upload: upload) }
    }
}
