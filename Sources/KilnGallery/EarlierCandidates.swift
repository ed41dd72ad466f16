import Foundation
import KilnCore

/// The candidates `kiln reroll` replaced, remembered so the gallery can show them beside the new
/// ones for as long as the cache keeps their answers (until `kiln cache gc` removes them): each
/// one's id and cache key, and when it was re-rolled. Project state in `.kiln/rerolled.json`, not in
/// kiln.lock: it is what this checkout has seen, not a decision to review.
public struct EarlierCandidates: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Hashable {
        /// The candidate's id (`p/a@v/main~2`).
        public var step: String
        public var cacheKey: String
        /// When `kiln reroll` replaced it: ISO-8601 in UTC.
        public var rerolled: String

        public init(step: StepID, cacheKey: String, rerolled: Date = Date()) {
            self.step = step.description
            self.cacheKey = cacheKey
            self.rerolled = Self.timestamp(rerolled)
        }

        static func timestamp(_ date: Date) -> String {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                          c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        }

        enum CodingKeys: String, CodingKey { case step, cacheKey = "cache_key", rerolled }
    }

    public var version = 1
    /// Oldest first; one per cache key.
    public private(set) var entries: [Entry] = []

    public init(entries: [Entry] = []) {
        for entry in entries { add(entry) }
    }

    /// `.kiln/rerolled.json` in the project folder.
    public static func url(in root: URL) -> URL {
        root.appendingPathComponent(".kiln/rerolled.json")
    }

    /// What the file holds; empty when there is none or it cannot be read (it only adds to the
    /// gallery: losing it loses nothing that was paid for).
    public static func load(from url: URL) -> EarlierCandidates {
        guard let data = PosixFile.read(url.path),
              let read = try? JSONDecoder().decode(EarlierCandidates.self, from: data), read.version == 1 else {
            return EarlierCandidates()
        }
        return EarlierCandidates(entries: read.entries)
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.ensureDirectory(url.deletingLastPathComponent())
        try AtomicFile.write(try encoder.encode(self) + Data("\n".utf8), to: url)
    }

    /// Adds an entry; a key already there keeps its first entry.
    public mutating func add(_ entry: Entry) {
        guard !entries.contains(where: { $0.cacheKey == entry.cacheKey }) else { return }
        entries.append(entry)
    }

    /// Drops the entries `keep` refuses (their answers left the cache, or a candidate uses the key
    /// again); returns whether any went.
    @discardableResult
    public mutating func prune(keeping keep: (Entry) -> Bool) -> Bool {
        let before = entries.count
        entries.removeAll { !keep($0) }
        return entries.count != before
    }
}
