import Foundation
import KilnCore

/// One cache entry (`actions/<2 hex>/<key>.entry`): a header line and the record's JSON
/// (`CacheRecord.encoded()`). Format 4 keeps each image as a blob of its own (`blobs/<2 hex>/<sha256>`,
/// read-only), so an output can be a clone of or link to it instead of a second copy of the bytes;
/// format 3 carries the image bytes after the record, one file per answer (`ResultCache.Layout`).
///
///     kiln-cache-entry 4 <record length in bytes>\n
///     { …record… }
///
///     kiln-cache-entry 3 <record length in bytes>\n
///     { …record… }<image 1 bytes><image 2 bytes>…
///
/// The record names each image's SHA-256 and size, so a lookup verifies every byte it returns.
/// Written through `tmp/` and renamed like every cache file (blobs first), so a reader sees a
/// whole entry or none.
package enum CacheEntryFile {
    /// The format whose images are blobs.
    package static let version = 4
    /// The format whose entry carries its images.
    package static let inlineVersion = 3
    package static let fileExtension = ".entry"
    private static let prefix = Array("kiln-cache-entry ".utf8)
    /// The longest header line: the prefix, a version digit, a space, up to 20 digits, a newline.
    private static let headerLimit = prefix.count + 23

    /// The entry for `record`, in the record's format: the header and the record, then — for
    /// format 3 (`ResultCache.Layout.inline`) — the images; format 4's images are blobs.
    package static func encode(_ record: CacheRecord, images: [Data] = []) -> Data {
        pieces(record, images: images).reduce(into: Data()) { $0.append($1) }
    }

    /// `encode` as the pieces the file is made of, in order: the header line and record, then
    /// (format 3) each image as it is, not copied.
    package static func pieces(_ record: CacheRecord, images: [Data] = []) -> [Data] {
        let json = record.encoded()
        var head = Data(Array("kiln-cache-entry \(record.version) \(json.count)\n".utf8))
        head.append(json)
        return [head] + (record.version == inlineVersion ? images : [])
    }

    /// The record, and where the image bytes start (the end of the data for format 4); nil when
    /// `data` does not begin with a whole header and record of format 3 or 4, or the record's
    /// version is not the header's.
    package static func record(in data: Data) -> (record: CacheRecord, payloadStart: Int)? {
        guard let (version, jsonStart, length) = header(of: data) else { return nil }
        guard data.endIndex - jsonStart >= length,
              let record = CacheRecord.read(json: data[jsonStart..<jsonStart + length]),
              record.version == version else { return nil }
        return (record, jsonStart + length - data.startIndex)
    }

    /// The format, where the record starts and how long it is, from the header line; nil when
    /// `data` does not begin with one of format 3 or 4.
    private static func header(of data: Data) -> (version: Int, jsonStart: Int, length: Int)? {
        let bytes = data.prefix(headerLimit)
        guard bytes.starts(with: prefix), let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let start = bytes.startIndex + prefix.count
        guard start + 2 <= newline, bytes[start + 1] == UInt8(ascii: " ") else { return nil }
        let version: Int
        switch bytes[start] {
        case UInt8(ascii: "4"): version = Self.version
        case UInt8(ascii: "3"): version = inlineVersion
        default: return nil
        }
        let digits = bytes[(start + 2)..<newline]
        // Bounded, so a damaged header's huge number cannot overflow an offset computed from it.
        guard let length = Int(String(decoding: digits, as: UTF8.self)), length > 0, length < 1 << 40 else { return nil }
        return (version, newline + 1, length)
    }

    /// The record of the entry file at `path`, reading only the header and the record (the images
    /// are not read): for `stats` and `collectGarbage`, which look at every entry.
    package static func record(at path: String) -> CacheRecord? {
        head(at: path)?.record
    }

    /// The record of the entry file at `path` and the offset its image bytes start at, reading
    /// only the header and the record (not a format-3 entry's images).
    package static func head(at path: String) -> (record: CacheRecord, payloadStart: Int)? {
        guard let head = PosixFile.read(path, upTo: headerLimit),
              let (_, jsonStart, length) = header(of: head),
              let data = PosixFile.read(path, upTo: jsonStart - head.startIndex + length) else { return nil }
        return record(in: data)
    }

    /// A format-3 entry's images, each checked against the size and SHA-256 its record gives; nil
    /// when any is missing or damaged (the entry must not be used).
    package static func images(in data: Data, record: CacheRecord, payloadStart: Int) -> [Data]? {
        var offset = data.startIndex + payloadStart
        var images = [Data]()
        images.reserveCapacity(record.images.count)
        for image in record.images {
            guard image.bytes >= 0, data.endIndex - offset >= image.bytes else { return nil }
            let bytes = Data(data[offset..<offset + image.bytes])
            guard Digest.sha256(bytes) == image.sha256 else { return nil }
            images.append(bytes)
            offset += image.bytes
        }
        return offset == data.endIndex ? images : nil
    }
}
