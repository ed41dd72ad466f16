import Foundation

/// The fake's Files and Batches: records in memory, file bytes on disk (so a 200 MB input or an
/// output of 1.8 MB images is streamed, not held), how often each `custom_id` was submitted, and,
/// with a state directory, everything saved so a restarted fake still has it.
public actor FakeBatchStore {
    private var files: [String: FakeStoredFile] = [:]
    private var batches: [String: FakeBatch] = [:]
    /// Batch ids, oldest first (the list endpoint answers newest first).
    private var order: [String] = []
    private var submissions: [String: Int] = [:]
    private var scripts: [FakeBatchScript] = []
    private var serial = 0
    let directory: String
    private let persistent: Bool

    /// - Parameter stateDirectory: nil keeps state in memory and file bytes in a temporary folder.
    init(stateDirectory: String?) {
        if let stateDirectory {
            directory = stateDirectory
            persistent = true
        } else {
            directory = NSTemporaryDirectory() + "kiln-fake-openai-\(getpid())-\(UUID().uuidString)"
            persistent = false
        }
        try? FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
        if persistent, let data = FileManager.default.contents(atPath: directory + "/state.json"),
           let saved = try? JSONDecoder().decode(Saved.self, from: data) {
            files = Dictionary(saved.files.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            batches = Dictionary(saved.batches.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            order = saved.batches.map(\.id)
            submissions = saved.submissions
            serial = saved.serial
        }
    }

    deinit {
        if !persistent { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// Scripts the next batches created (in order), ahead of the configuration's script.
    public func enqueue(_ more: [FakeBatchScript]) { scripts += more }

    /// How many times each `custom_id` was submitted in a batch whose file passed validation.
    public var submissionCounts: [String: Int] { submissions }

    /// Batches and files held.
    public var batchCount: Int { batches.count }
    public var fileCount: Int { files.count }

    func path(of id: String) -> String { directory + "/files/" + id }

    func newID(_ prefix: String) -> String {
        serial += 1
        let letters = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        let tail = String((0..<16).map { _ in letters[Int(rng.next() % UInt64(letters.count))] })
        return "\(prefix)\(String(format: "%04d", serial))\(tail)"
    }

    // MARK: Files

    /// Stores `bytes` as a new file; `expiresAfter` in seconds (batch files: 30 days by default).
    func addFile(filename: String, purpose: String, bytes: [UInt8], expiresAfter: Int?) throws -> FakeStoredFile {
        let id = newID("file-")
        guard FileManager.default.createFile(atPath: path(of: id), contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return register(id: id, filename: filename, purpose: purpose, bytes: bytes.count, expiresAfter: expiresAfter)
    }

    /// Takes a file the fake wrote (an output or error file) into the store under a new id.
    func adoptFile(at temporary: String, filename: String, purpose: String) throws -> FakeStoredFile {
        let id = newID("file-")
        try FileManager.default.moveItem(atPath: temporary, toPath: path(of: id))
        let size = (try? FileManager.default.attributesOfItem(atPath: path(of: id))[.size] as? Int) ?? 0
        return register(id: id, filename: filename, purpose: purpose, bytes: size, expiresAfter: 30 * 86_400)
    }

    private func register(id: String, filename: String, purpose: String, bytes: Int, expiresAfter: Int?) -> FakeStoredFile {
        let now = Int(Date().timeIntervalSince1970)
        let file = FakeStoredFile(id: id, bytes: bytes, createdAt: now, expiresAt: expiresAfter.map { now + $0 },
                                  filename: filename, purpose: purpose)
        files[id] = file
        save()
        return file
    }

    func file(_ id: String) -> FakeStoredFile? { files[id] }

    /// The bytes of a file (for validation and edit inputs); nil when there is no such file.
    func contents(_ id: String) -> Data? {
        guard files[id] != nil else { return nil }
        return FileManager.default.contents(atPath: path(of: id))
    }

    /// The bytes of each of `ids` that exists (the inputs a JSON edit names).
    func contents(of ids: [String]) -> [String: Data] {
        var found: [String: Data] = [:]
        for id in Set(ids) { found[id] = contents(id) }
        return found
    }

    func deleteFile(_ id: String) -> Bool {
        guard files.removeValue(forKey: id) != nil else { return false }
        try? FileManager.default.removeItem(atPath: path(of: id))
        save()
        return true
    }

    // MARK: Batches

    func createBatch(endpoint: String, inputFileID: String, metadata: [String: String]?,
                     defaultScript: FakeBatchScript) -> FakeBatch {
        let script = scripts.isEmpty ? defaultScript : scripts.removeFirst()
        let batch = FakeBatch(id: newID("batch_"), endpoint: endpoint, inputFileID: inputFileID,
                              createdAt: Int(Date().timeIntervalSince1970), metadata: metadata, script: script)
        batches[batch.id] = batch
        order.append(batch.id)
        save()
        return batch
    }

    func batch(_ id: String) -> FakeBatch? { batches[id] }

    /// Changes a batch; `persist` saves the state (status changes, not every line's counts).
    @discardableResult
    func update(_ id: String, persist: Bool = true, _ change: @Sendable (inout FakeBatch) -> Void) -> FakeBatch? {
        guard var batch = batches[id] else { return nil }
        change(&batch)
        batches[id] = batch
        if persist { save() }
        return batch
    }

    /// Up to `limit` batches, newest first, after the batch `after`; and whether more follow.
    func list(after: String?, limit: Int) -> (batches: [FakeBatch], hasMore: Bool) {
        var ids = Array(order.reversed())
        if let after, let index = ids.firstIndex(of: after) { ids = Array(ids[(index + 1)...]) }
        let page = ids.prefix(limit).compactMap { batches[$0] }
        return (page, ids.count > limit)
    }

    /// Batches not yet final (after a restart: to run again).
    var unfinished: [String] { order.filter { batches[$0].map { !$0.isFinal } ?? false } }

    func countSubmissions(_ customIDs: [String]) {
        for id in customIDs { submissions[id, default: 0] += 1 }
        save()
    }

    // MARK: Persistence

    private struct Saved: Codable {
        var files: [FakeStoredFile]
        var batches: [FakeBatch]
        var submissions: [String: Int]
        var serial: Int
    }

    /// Writes state.json through a temp file and rename (only with a state directory).
    private func save() {
        guard persistent else { return }
        let saved = Saved(files: files.values.sorted { $0.id < $1.id }, batches: order.compactMap { batches[$0] },
                          submissions: submissions, serial: serial)
        guard let data = try? JSONEncoder().encode(saved) else { return }
        let temp = directory + "/.state.json.\(getpid()).tmp"
        if FileManager.default.createFile(atPath: temp, contents: data) {
            _ = rename(temp, directory + "/state.json")
        }
    }
}
