import Foundation
import KilnCore

/// One cache entry in one file (`actions/<2 hex>/<key>.entry`, format 3): a header line, the
/// record's JSON (`CacheRecord.encoded()`), then each image's bytes in the record's order.
///
///     kiln-cache-entry 3 <record length in bytes>\n
///     { …record… }<image 1 bytes><image 2 bytes>…
///
/// One file per stored answer instead of an object per image plus a record (format 2): a first
/// build creates half the files, and a lookup reads one. The record names each image's SHA-256
/// and size, so a lookup still verifies every byte it returns. Written through `tmp/` and renamed
/// like every cache file, so a reader sees a whole entry or none.
package enum CacheEntryFile {
    package static let version = 3
    package static let fileExtension = ".entry"
    private static let magic = Array("kiln-cache-entry \(version) ".utf8)

    package static func encode(_ record: CacheRecord, images: [Data]) -> Data {
        let json = record.encoded()
        var data = Data(magic + Array("\(json.count)\n".utf8))
        data.reserveCapacity(data.count + json.count + images.reduce(0) { $0 + $1.count })
        data.append(json)
        for image in images { data.append(image) }
        return data
    }

    /// The record, and where the image bytes start; nil when `data` does not begin with a whole
    /// header and record of this format.
    package static func record(in data: Data) -> (record: CacheRecord, payloadStart: Int)? {
        guard let (jsonStart, length) = header(of: data) else { return nil }
        guard data.endIndex - jsonStart >= length,
              let record = try? JSONDecoder().decode(CacheRecord.self, from: data[jsonStart..<jsonStart + length]),
              record.version == version else { return nil }
        return (record, jsonStart + length - data.startIndex)
    }

    /// Where the record starts and how long it is, from the header line; nil when `data` does not
    /// begin with one.
    private static func header(of data: Data) -> (jsonStart: Int, length: Int)? {
        let bytes = data.prefix(magic.count + 21)
        guard bytes.starts(with: magic), let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let digits = bytes[(bytes.startIndex + magic.count)..<newline]
        // Bounded, so a damaged header's huge number cannot overflow an offset computed from it.
        guard let length = Int(String(decoding: digits, as: UTF8.self)), length > 0, length < 1 << 40 else { return nil }
        return (newline + 1, length)
    }

    /// The record of the entry file at `path`, reading only the header and the record (the images
    /// are not read): for `stats` and `collectGarbage`, which look at every entry.
    package static func record(at path: String) -> CacheRecord? {
        guard let head = PosixFile.read(path, upTo: magic.count + 21),
              let (jsonStart, length) = header(of: head),
              let data = PosixFile.read(path, upTo: jsonStart - head.startIndex + length) else { return nil }
        return record(in: data)?.record
    }

    /// The entry's images, each checked against the size and SHA-256 its record gives; nil when
    /// any is missing or damaged (the entry must not be used).
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
