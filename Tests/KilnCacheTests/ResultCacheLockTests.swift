import Foundation
import KilnCore
@testable import KilnCache
import KilnTestSupport
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct ResultCacheLockTests {
    let cache = ResultCache(directory: TemporaryFolder.make("kiln-cache"))
    let key = Digest.sha256("locked")

    /// Events in the order they happened.
    final class Events: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ event: String) { list.withLock { $0.append(event) } }
        var all: [String] { list.withLock { $0 } }
    }

    @Test func aSecondTaskWaitsUntilTheFirstReleases() async throws {
        let events = Events()
        let first = try await cache.lock(key)
        events.add("first acquired")
        let (busy, signal) = AsyncStream<Void>.makeStream()
        let second = Task { [cache, key] in
            defer { signal.finish() }
            let lock = try await cache.lock(key, whenBusy: { signal.yield() })
            events.add("second acquired")
            lock.release()
        }
        // Returns once the second task found the key held (or, if the lock is broken, took it).
        for await _ in busy { break }
        events.add("first released")
        first.release()
        try await second.value
        #expect(events.all == ["first acquired", "first released", "second acquired"])
        #expect(try cache.tryLock(key) != nil, "the second task's release did not free the key")
    }

    @Test func aTaskWaitingForALockCanBeCancelled() async throws {
        let held = try await cache.lock(key)
        let (busy, signal) = AsyncStream<Void>.makeStream()
        let waiter = Task { [cache, key] in
            defer { signal.finish() } // a broken lock returns at once: end the wait below, don't hang
            return try await cache.lock(key, whenBusy: { signal.yield() })
        }
        for await _ in busy { break }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        held.release()
    }

    @Test func aLockIsFreedWhenItsHolderGoesAway() throws {
        do {
            let lock = try #require(try cache.tryLock(key))
            #expect(try cache.tryLock(key) == nil)
            _ = lock
        }
        #expect(try cache.tryLock(key) != nil)
    }

    /// Another process locking the key's byte the way `KeyLockTable` does (a POSIX record lock),
    /// with Python's `fcntl.lockf`: `hold` keeps it until its stdin closes.
    func otherProcess(hold: Bool) throws -> (Process, Pipe, Pipe) {
        let script = """
            import fcntl, sys
            f = open(sys.argv[1], "a+")
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, int(sys.argv[2][:15], 16))
            except OSError:
                sys.exit(1)
            if sys.argv[3] == "hold":
                sys.stdout.write("held\\n")
                sys.stdout.flush()
                sys.stdin.readline()
            """
        let process = Process(), output = Pipe(), input = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, cache.keyLockPath, key, hold ? "hold" : "try"]
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        return (process, output, input)
    }

    func otherProcessLocks() throws -> Bool {
        let (process, _, _) = try otherProcess(hold: false)
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static let hasPython = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/python3") } == true

    @Test(.enabled(if: hasPython)) func theLockExcludesAnotherProcess() throws {
        let lock = try #require(try cache.tryLock(key))
        #expect(try !otherProcessLocks(), "another process took the lock this process holds")
        lock.release()
        #expect(try otherProcessLocks(), "the released lock still kept another process out")

        // And the other way round: a process holding the lock keeps this one out until it exits.
        let (holder, output, input) = try otherProcess(hold: true)
        #expect(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self) == "held\n")
        #expect(try cache.tryLock(key) == nil, "this process took a lock another process holds")
        try input.fileHandleForWriting.close()
        holder.waitUntilExit()
        #expect(try cache.tryLock(key) != nil)
    }

    @Test func locksOfManyKeysShareOneFile() throws {
        let keys = (0..<50).map { Digest.sha256("key \($0)") }
        let locks = try keys.map { try #require(try cache.tryLock($0)) }
        #expect(try keys.allSatisfy { try cache.tryLock($0) == nil })
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.directory.path)
        #expect(files == ["keys.lock"])
        locks.forEach { $0.release() }
        #expect(try keys.allSatisfy { try cache.tryLock($0) != nil })
    }

    @Test(.enabled(if: hasPython)) func aRemovedCacheFolderGetsAFreshLockFile() throws {
        let first = try #require(try cache.tryLock(key))
        first.release()
        try FileManager.default.removeItem(at: cache.directory)
        let second = try #require(try cache.tryLock(key))
        #expect(FileManager.default.fileExists(atPath: cache.keyLockPath))
        #expect(try !otherProcessLocks(), "the lock was taken on the removed file, not the new one")
        second.release()
    }
}
