import Foundation
import KilnCache
import KilnCore
import Logging
import NIOCore
import NIOHTTP1

/// A remote cache backend: the `CacheBackend` calls over HTTP, in the layout of one kind of store
/// (`RemoteLayout`), through one `RemoteTransport`.
///
/// - An address whose name is not lowercase hex is refused (`CacheKeyError`) before any URL is made.
/// - A blob is sent only when its bytes have the digest it is stored under (`CacheKeyError`
///   otherwise), and a blob received is used only when they do (`RemoteStoreError(.invalid)`).
/// - A miss (404) is `nil` or `false`; every other failure is a `RemoteStoreError`, except a local
///   file's (the destination's folder, a full disk), which is thrown as it is.
/// - `download` streams into a temp file renamed into place when whole; `upload` streams from the
///   file. Neither holds the value in memory.
final class RemoteStore: CacheBackend, RemoteBackendLifecycle {
    let layout: any RemoteLayout
    let transport: RemoteTransport

    /// The SHA-256 of no bytes: the payload digest of HEAD and GET.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    init(layout: any RemoteLayout, settings: RemoteTransferSettings, logger: Logger) {
        self.layout = layout
        let failures = RemoteFailure(store: layout.name, settings: settings, secrets: layout.secrets)
        transport = RemoteTransport(settings: settings, failures: failures, logger: logger)
    }

    /// The location: `http://host:port/base` or `s3://bucket/prefix`.
    var name: String { layout.name }
    /// `download` hashes a blob as it arrives and refuses bytes that are not its digest's.
    var verifiesBlobDownloads: Bool { true }

    /// HEAD: true when the store has the value, false on 404.
    func contains(_ address: CacheAddress) async throws -> Bool {
        let request = try request(.HEAD, address, payloadSHA256: Self.emptySHA256)
        let answer = try await transport.send(request)
        return try found(answer, request)
    }

    /// GET into memory (up to `RemoteTransferSettings.maxInMemoryBytes`); nil on 404.
    func get(_ address: CacheAddress) async throws -> Data? {
        let request = try request(.GET, address, payloadSHA256: Self.emptySHA256)
        let (answer, data) = try await transport.fetch(request)
        guard try found(answer, request), let data else { return nil }
        try verify(address, Digest.sha256(data), request.label)
        return data
    }

    /// PUT from memory, after checking a blob's digest.
    func put(_ data: Data, at address: CacheAddress) async throws {
        try Self.check(address, in: name)
        let digest = Digest.sha256(data)
        if case let .blob(expected) = address, digest != expected {
            throw CacheKeyError("remote cache \(name): a blob stored as \(expected) has the digest \(digest); it was not sent")
        }
        try await store(request(.PUT, address, payloadSHA256: digest), body: .data(data))
    }

    /// GET streamed into `destination` (replacing it); false on 404, when nothing is written.
    func download(_ address: CacheAddress, to destination: URL) async throws -> Bool {
        let request = try request(.GET, address, payloadSHA256: Self.emptySHA256)
        let answer = try await transport.fetch(request, into: destination) { [self] sha256 in
            try verify(address, sha256, request.label)
        }
        return try found(answer, request)
    }

    /// PUT of the file `source` (or the bytes `range` of it), after checking them: a blob's digest is
    /// checked, so a damaged local copy is never sent; S3 signs it as the payload's hash. A value up
    /// to `UploadRead.wholeReadLimit` (an image) is read once into the buffer that is sent and checked there —
    /// an image in a file Kiln sealed when it wrote it by the seal's checksum (`ImageSeal`), anything else by
    /// its SHA-256; a larger one is hashed, then streamed, so it is never held in memory whole.
    ///
    /// The read happens on this task when every byte is in memory (an image written or read a moment
    /// ago, as in a push after a build): no wait for the disk, and no hop to the I/O queue and back
    /// (two thread wake-ups an image). Anything else is read on the I/O queue. Opening the file and
    /// reading its seal still happen here: an inode not in memory costs one small read.
    func upload(_ source: URL, range: Range<Int>?, to address: CacheAddress) async throws {
        try Self.check(address, in: name)
        let read = UploadRead(source: source, range: range, address: address, buffers: buffers)
        let value: UploadRead.Value
        if let inMemory = read.fromMemory() {
            value = inMemory
        } else {
            value = try await BlockingIO.run { try read.fromDisk() }
        }
        if case let .blob(expected) = address, value.sha256 != expected {
            if let buffer = value.buffer { buffers.give(buffer) }
            throw CacheKeyError("remote cache \(name): \(source.path) does not have the digest \(expected); it was not sent")
        }
        try await store(request(.PUT, address, payloadSHA256: value.sha256),
                        body: value.buffer.map { RemoteBody.buffer($0) } ?? .file(source, range: value.bytes))
        // Kept for the next upload only once sent: a failed request may still be writing it.
        if let buffer = value.buffer { buffers.give(buffer) }
    }

    /// The buffers uploads read values into, reused (see `BufferPool`).
    let buffers = BufferPool()


    /// Closes the backend's connections. Call once, after the last call; later calls do nothing.
    func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: - Shared steps

    private func request(_ method: HTTPMethod, _ address: CacheAddress, payloadSHA256: String) throws -> RemoteRequest {
        try Self.check(address, in: name)
        return layout.request(method, address, payloadSHA256: payloadSHA256)
    }

    private func store(_ request: RemoteRequest, body: RemoteBody) async throws {
        let answer = try await transport.send(request, body: body)
        guard answer.isSuccess else { throw failure(answer, request) }
    }

    /// True for a success, false for a miss (a 404 the layout does not read as something worse).
    private func found(_ answer: RemoteAnswer, _ request: RemoteRequest) throws -> Bool {
        if answer.isSuccess { return true }
        if answer.isMissing && layout.explain(answer).kind == nil { return false }
        throw failure(answer, request)
    }

    private func failure(_ answer: RemoteAnswer, _ request: RemoteRequest) -> RemoteStoreError {
        transport.failures.answer(answer, request.label, layout.explain(answer))
    }

    private func verify(_ address: CacheAddress, _ sha256: String, _ label: String) throws {
        if case let .blob(expected) = address, sha256 != expected {
            throw transport.failures.digestMismatch(label, sha256)
        }
    }

    /// Refuses a name that is not lowercase hex (8+ characters for a key, 64 for a digest) before it
    /// can become part of a URL.
    static func check(_ address: CacheAddress, in store: String) throws {
        guard address.isValid else {
            let rule = address.isBlob ? "64 lowercase hex characters" : "8 or more lowercase hex characters"
            throw CacheKeyError("remote cache \(store): '\(address.name)' is not a valid \(address.isBlob ? "blob digest" : "action key") "
                + "(\(rule)); nothing was sent. Re-plan the build.")
        }
    }
}
