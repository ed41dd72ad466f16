import Foundation
import KilnCore

// The state file is lines of text, parsed by hand (20,000 entries read and write in a few ms):
//
//     kiln-state 1
//     f SHA256 SIZE MTIME_NS INODE PATH
//     i FORMAT WIDTH HEIGHT ALPHA BYTES PATH     (an input image's checked facts; after its f line)
//     s CACHE_KEY STEP_ID
//
// The path and step id come last, so they may hold spaces; a path holding a newline is not stored.
extension StatCache {
    private static let header = "kiln-state \(currentVersion)\n"

    /// The state stored at `url`; an empty state when the file is missing, unreadable, corrupt or
    /// of another version (it is only a cache: the cost is re-hashing).
    public static func load(from url: URL) -> StatCache {
        guard let data = try? Data(contentsOf: url) else { return StatCache() }
        return decode(data)
    }

    /// Parses state file bytes; an empty state when they are not a valid state file.
    public static func decode(_ data: Data) -> StatCache {
        let tables = data.withUnsafeBytes { raw -> Tables? in
            var reader = LineReader(bytes: raw)
            guard let first = reader.line(), first.elementsEqual(header.utf8.dropLast()) else { return nil }
            var tables = Tables()
            tables.files.reserveCapacity(data.count / 120)
            // An `f` line is stored when the next line is read: an `i` line for the same path (as
            // the writer puts it) adds its facts without a second path string and lookup.
            var pending: (path: String, bytes: Slice<UnsafeRawBufferPointer>, entry: Entry)?
            while !reader.atEnd {
                guard let line = reader.line(), var fields = FieldReader(line) else { return nil }
                switch fields.tag {
                case UInt8(ascii: "f"):
                    guard let sha = fields.word(), sha.count == 64, let size = fields.integer(),
                          let mtime = fields.integer(), let inode = fields.integer(), let bytes = fields.restBytes()
                    else { return nil }
                    if let pending { tables.files[pending.path] = pending.entry }
                    let stamp = FileStamp(size: size, mtimeNanoseconds: mtime, inode: UInt64(bitPattern: inode))
                    pending = (FieldReader.string(bytes), bytes, Entry(stamp: stamp, sha256: sha))
                case UInt8(ascii: "i"):
                    guard let format = fields.word().flatMap(ImageFormat.init(rawValue:)), let width = fields.integer(),
                          let height = fields.integer(), let alpha = fields.integer(), let bytes = fields.integer(),
                          let pathBytes = fields.restBytes() else { return nil }
                    let facts = ImageFacts(format: format, width: Int(width), height: Int(height),
                                           hasAlpha: alpha == 1, byteCount: Int(bytes))
                    if pending.map({ $0.bytes.elementsEqual(pathBytes) }) == true {
                        pending?.entry.facts = facts
                    } else {
                        if let pending { tables.files[pending.path] = pending.entry }
                        pending = nil
                        tables.files[FieldReader.string(pathBytes)]?.facts = facts
                    }
                case UInt8(ascii: "s"):
                    guard let key = fields.word(), let text = fields.rest(), let id = LockFile.fastStepID(text)
                    else { return nil }
                    tables.stepKeys[id] = key
                default:
                    return nil
                }
            }
            if let pending { tables.files[pending.path] = pending.entry }
            return tables
        }
        return tables.map { StatCache(tables: $0) } ?? StatCache()
    }

    /// The state file's bytes (entries in no particular order: nobody diffs a cache).
    public func encoded() -> Data {
        tables.withLock { tables in
            var out = [UInt8]()
            out.reserveCapacity(tables.files.count * 150 + tables.stepKeys.count * 120 + 16)
            out.append(contentsOf: Self.header.utf8)
            for (path, entry) in tables.files where !path.utf8.contains(0x0A) {
                out.append(UInt8(ascii: "f"))
                out.append(0x20)
                out.append(contentsOf: entry.sha256.utf8)
                out.append(0x20)
                Self.appendDecimal(entry.stamp.size, to: &out)
                out.append(0x20)
                Self.appendDecimal(entry.stamp.mtimeNanoseconds, to: &out)
                out.append(0x20)
                Self.appendDecimal(Int64(bitPattern: entry.stamp.inode), to: &out)
                out.append(0x20)
                out.append(contentsOf: path.utf8)
                out.append(0x0A)
                guard let facts = entry.facts else { continue }
                out.append(contentsOf: "i \(facts.format.rawValue) ".utf8)
                for number in [facts.width, facts.height, facts.hasAlpha ? 1 : 0, facts.byteCount] {
                    Self.appendDecimal(Int64(number), to: &out)
                    out.append(0x20)
                }
                out.append(contentsOf: path.utf8)
                out.append(0x0A)
            }
            for (id, key) in tables.stepKeys {
                out.append(UInt8(ascii: "s"))
                out.append(0x20)
                out.append(contentsOf: key.utf8)
                out.append(0x20)
                out.append(contentsOf: id.description.utf8)
                out.append(0x0A)
            }
            return Data(out)
        }
    }

    /// Writes the state atomically (a temp file named with this process's id, then `rename(2)`),
    /// creating the folder; afterwards `hasChanges` is false.
    public func write(to url: URL) throws {
        try AtomicFile.write(encoded(), to: url)
        tables.withLock { $0.changed = false }
    }

    private static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // Digits written least significant first, then reversed in place: no temporary array.
        var magnitude = value.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
    }
}

/// Lines of a byte buffer, without their newline. A final line must end with a newline.
private struct LineReader {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var atEnd: Bool { position >= bytes.count }

    mutating func line() -> Slice<UnsafeRawBufferPointer>? {
        let start = position
        while position < bytes.count {
            if bytes[position] == 0x0A {
                defer { position += 1 }
                return bytes[start..<position]
            }
            position += 1
        }
        return nil
    }
}

/// The space-separated fields of one line: a one-byte tag, words, integers and the rest.
private struct FieldReader {
    let line: Slice<UnsafeRawBufferPointer>
    var position: Int
    let tag: UInt8

    init?(_ line: Slice<UnsafeRawBufferPointer>) {
        guard line.count >= 2, line[line.startIndex + 1] == 0x20 else { return nil }
        self.line = line
        tag = line[line.startIndex]
        position = line.startIndex + 2
    }

    mutating func word() -> String? {
        let start = position
        while position < line.endIndex, line[position] != 0x20 { position += 1 }
        guard position > start, position < line.endIndex else { return nil }
        defer { position += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: line[start..<position]), as: UTF8.self)
    }

    mutating func integer() -> Int64? {
        var negative = false
        if position < line.endIndex, line[position] == UInt8(ascii: "-") { negative = true; position += 1 }
        var value: Int64 = 0
        var digits = 0
        while position < line.endIndex, line[position] != 0x20 {
            let byte = line[position]
            guard (0x30...0x39).contains(byte), digits < 19 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
            digits += 1
            position += 1
        }
        guard digits > 0, position < line.endIndex else { return nil }
        position += 1
        return negative ? -value : value
    }

    mutating func rest() -> String? {
        restBytes().map(Self.string)
    }

    /// The rest of the line as bytes; nil when it is empty.
    mutating func restBytes() -> Slice<UnsafeRawBufferPointer>? {
        guard position < line.endIndex else { return nil }
        defer { position = line.endIndex }
        return line[position..<line.endIndex]
    }

    static func string(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes), as: UTF8.self)
    }
}
