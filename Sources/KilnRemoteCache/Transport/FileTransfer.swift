import Foundation
import KilnCore
import NIOCore
import NIOFoundationCompat
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local file's failure met while moving a value (the destination's folder is gone, the disk is
/// full): no fault of the store, so it reaches the caller as the error underneath, not as a
/// `RemoteStoreError`.
struct LocalFileError: Error {
    var underlying: any Error
}

/// The bytes `range` of a file as buffers for an upload's body, read a chunk at a time off the
/// cooperative pool (`BlockingIO`) with `pread` straight into each buffer (no `Data` in between),
/// so a value is never held in memory whole. Throws when the file ends before the range does:
/// the body would not match its Content-Length.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    let range: Range<Int>
    /// 256 KiB: few enough hops to the I/O queue for a ~2 MB value, small next to the socket's buffers.
    static let chunkSize = 256 << 10

    func makeAsyncIterator() -> Iterator { Iterator(url: url, range: range) }

    struct Iterator: AsyncIteratorProtocol {
        let url: URL
        private var offset: Int
        private let end: Int
        private var file: OpenFile?

        init(url: URL, range: Range<Int>) {
            self.url = url
            offset = range.lowerBound
            end = range.upperBound
        }

        mutating func next() async throws -> ByteBuffer? {
            guard offset < end else {
                file = nil
                return nil
            }
            do {
                if file == nil { file = try OpenFile(url.path) }
                let (reader, at, count) = (file!, offset, Swift.min(FileChunks.chunkSize, end - offset))
                let chunk = try await BlockingIO.run { try reader.read(count, at: at) }
                offset += chunk.readableBytes
                return chunk
            } catch {
                offset = end
                file = nil
                throw LocalFileError(underlying: error)
            }
        }
    }

    /// A descriptor closed when the last iterator holding it goes (a body abandoned mid-way too).
    final class OpenFile: @unchecked Sendable {
        let descriptor: Int32
        let path: String

        init(_ path: String) throws {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            self.path = path
            guard descriptor >= 0 else { throw PosixFile.failure("open", path, label: "cache") }
        }

        deinit { close(descriptor) }

        /// The file's size in bytes.
        func size() throws -> Int {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { throw PosixFile.failure("read", path, label: "cache") }
            return Int(info.st_size)
        }

        /// Exactly `count` bytes from `offset`, read into a new buffer.
        func read(_ count: Int, at offset: Int) throws -> ByteBuffer {
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            try read(count, at: offset, into: &buffer)
            return buffer
        }

        /// Exactly `count` bytes from `offset` appended to `buffer` (which must start empty), when
        /// every one of them is in memory (`PosixFile.readCached`: no wait for the disk); false
        /// otherwise, with `buffer` holding what was.
        func readCached(_ count: Int, at offset: Int, into buffer: inout ByteBuffer) -> Bool {
            while buffer.readableBytes < count {
                let done = buffer.readableBytes
                let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - done) { space in
                    PosixFile.readCached(descriptor, into: UnsafeMutableRawBufferPointer(rebasing: space[..<(count - done)]),
                                         at: offset + done)
                }
                if n == 0 { return false }
            }
            return true
        }

        /// Exactly `count` bytes from `offset`, appended to `buffer` (which must start empty).
        func read(_ count: Int, at offset: Int, into buffer: inout ByteBuffer) throws {
            while buffer.readableBytes < count {
                let done = buffer.readableBytes
                var code: Int32 = 0
                let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - done) { space -> Int in
                    let n = pread(descriptor, space.baseAddress, count - done, off_t(offset + done))
                    code = n < 0 ? errno : 0
                    return Swift.max(n, 0)
                }
                if code == EINTR { continue }
                if code != 0 { throw PosixFile.failure("read", path, code: code, label: "cache") }
                if n == 0 {
                    throw FileError("cache: \(path) ends at byte \(offset + done), inside the bytes being sent", diskFull: false)
                }
            }
        }
    }
}

/// Writes a response body into a file the way every Kiln write goes: into a hidden temp file beside
/// the destination (`.<name>.kiln-<pid>-<n>.tmp`), hashed as it arrives, renamed into place only
/// when whole and accepted; removed on any failure, cancellation included.
struct FileDownload {
    var destination: URL
    /// Bytes gathered before each write: 1 MiB, so a ~2 MB value takes two or three hops to the
    /// I/O queue rather than one per network chunk. The chunks are kept as NIO gave them (not
    /// copied into one buffer) and written one after another in that hop.
    static let batchSize = 1 << 20

    /// - Parameter accept: given the byte count and SHA-256 of the whole body; throws to refuse it.
    func write(_ body: some AsyncSequence<ByteBuffer, any Error>,
               accept: (_ count: Int, _ sha256: String) throws -> Void) async throws {
        let folder = destination.deletingLastPathComponent().path
        let temp = folder + "/" + AtomicFile.temporaryName(for: destination.lastPathComponent)
        // One `open` that makes the file, and nothing else: `FileManager.createFile` wrote an empty
        // file atomically (a second temp and a rename) before it was opened again to be written.
        let descriptor = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LocalFileError(underlying: PosixFile.failure("create", temp, label: "cache")) }
        var isOpen = true
        do {
            var hash = Digest.Running()
            var pending = [ByteBuffer]()
            var pendingBytes = 0
            var count = 0
            for try await chunk in body {
                chunk.withUnsafeReadableBytes { hash.update($0) }
                pending.append(chunk)
                pendingBytes += chunk.readableBytes
                count += chunk.readableBytes
                if pendingBytes >= Self.batchSize {
                    try await Self.append(pending, to: descriptor, at: temp)
                    pending.removeAll(keepingCapacity: true)
                    pendingBytes = 0
                }
            }
            try await Self.append(pending, to: descriptor, at: temp)
            try accept(count, hash.finish())
            isOpen = false
            try await Self.local {
                guard close(descriptor) == 0 else { throw PosixFile.failure("write", temp, label: "cache") }
                guard rename(temp, destination.path) == 0 else {
                    throw PosixFile.failure("rename into place", destination.path, label: "cache")
                }
            }
        } catch {
            if isOpen { close(descriptor) }
            unlink(temp)
            throw error
        }
    }

    private static func append(_ chunks: [ByteBuffer], to descriptor: Int32, at path: String) async throws {
        guard !chunks.isEmpty else { return }
        try await local {
            for chunk in chunks {
                guard chunk.withUnsafeReadableBytes({ PosixFile.writeAll(descriptor, $0) }) else {
                    throw PosixFile.failure("write", path, label: "cache")
                }
            }
        }
    }

    /// Runs file work on the I/O queue; its errors are the local file's.
    private static func local(_ body: @escaping @Sendable () throws -> Void) async throws {
        do {
            try await BlockingIO.run(body)
        } catch {
            throw LocalFileError(underlying: error)
        }
    }
}
