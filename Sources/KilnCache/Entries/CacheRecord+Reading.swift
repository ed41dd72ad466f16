import Foundation
import KilnCore

extension CacheRecord {
    /// The record in `json` (a whole JSON document), as `JSONDecoder` reads it: nil where it
    /// throws.
    ///
    /// `JSONDecoder` took ~50 µs a record, 9 % of a push's user time (every upload reads its
    /// entry's record). A record as Kiln writes it is read by hand (`JSONReader`) instead; anything
    /// else goes to `JSONDecoder`, so what is accepted, and what it reads as, stays `JSONDecoder`'s:
    /// the hand reader gives up on any byte it is not sure of the same answer for — a backslash,
    /// bytes that are not UTF-8, a key it does not know or sees twice, a number JSON does not allow
    /// or `Int` cannot hold, anything after the object.
    package static func read(json: Data) -> CacheRecord? {
        if let record = json.withUnsafeBytes({ try? readByHand($0) }) { return record }
        return try? JSONDecoder().decode(CacheRecord.self, from: json)
    }

    /// Why the hand reader gave up (`JSONDecoder` then decides).
    struct NotPlain: Error {}

    static func readByHand(_ bytes: UnsafeRawBufferPointer) throws -> CacheRecord {
        // UTF-8 exactly when decoding repairs nothing (`String(validating:)` needs macOS 15).
        guard !bytes.contains(0x5C), String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes) else { throw NotPlain() }
        var reader = JSONReader(bytes)
        var version: Int?, cacheKey: String?, step: StepID?, kind: StepKind?, resolved: [String: String]?
        var images: [Image]?, created: String?
        var provider: String?, model: String?, usage: UsageRecord?, requestID: String?, costUSD: Double?
        var adopted: Adoption?
        var seen = Set<String>()
        try reader.object { key, reader in
            guard seen.insert(key).inserted else { throw NotPlain() }
            switch key {
            case "version": version = try reader.strictInteger()
            case "cache_key": cacheKey = try reader.string()
            case "step":
                guard let id = StepID(parsing: try reader.string()) else { throw NotPlain() }
                step = id
            case "kind":
                guard let value = StepKind(rawValue: try reader.string()) else { throw NotPlain() }
                kind = value
            case "provider": provider = try reader.null() ? nil : try reader.string()
            case "model": model = try reader.null() ? nil : try reader.string()
            case "request_id": requestID = try reader.null() ? nil : try reader.string()
            case "cost_usd": costUSD = try reader.null() ? nil : try reader.strictNumber()
            case "created": created = try reader.string()
            case "resolved":
                var values = [String: String]()
                try reader.object { name, reader in
                    guard values.updateValue(try reader.string(), forKey: name) == nil else { throw NotPlain() }
                }
                resolved = values
            case "images":
                var list = [Image]()
                try reader.array { reader in list.append(try readImage(&reader)) }
                images = list
            case "usage": usage = try reader.null() ? nil : try readUsage(&reader)
            case "adopted":
                if try reader.null() { break }
                var from: [String]?
                try reader.object { name, reader in
                    guard name == "from", from == nil else { throw NotPlain() }
                    var paths = [String]()
                    try reader.array { reader in paths.append(try reader.string()) }
                    from = paths
                }
                guard let from else { throw NotPlain() }
                adopted = Adoption(from: from)
            default: throw NotPlain()
            }
        }
        reader.skipWhitespace()
        guard reader.atEnd, let version, let cacheKey, let step, let kind, let resolved, let images, let created else {
            throw NotPlain()
        }
        var record = CacheRecord(cacheKey: cacheKey, step: step, kind: kind, provider: provider, model: model,
                                 usage: nil, requestID: requestID, costUSD: costUSD, resolved: resolved,
                                 images: images, adopted: adopted)
        record.version = version
        record.usage = usage
        record.created = created
        return record
    }

    private static func readImage(_ reader: inout JSONReader) throws -> Image {
        var sha256: String?, bytes: Int?, format: ImageFormat?
        var seen = Set<String>()
        try reader.object { key, reader in
            guard seen.insert(key).inserted else { throw NotPlain() }
            switch key {
            case "sha256": sha256 = try reader.string()
            case "bytes": bytes = try reader.strictInteger()
            case "format":
                if try reader.null() { break }
                guard let value = ImageFormat(rawValue: try reader.string()) else { throw NotPlain() }
                format = value
            default: throw NotPlain()
            }
        }
        guard let sha256, let bytes else { throw NotPlain() }
        return Image(sha256: sha256, bytes: bytes, format: format)
    }

    private static func readUsage(_ reader: inout JSONReader) throws -> UsageRecord {
        var counts = [String: Int?]()
        try reader.object { key, reader in
            guard UsageRecord.CodingKeys(rawValue: key) != nil, counts[key] == nil else { throw NotPlain() }
            counts[key] = try reader.null() ? Int?.none : try reader.strictInteger()
        }
        func required(_ key: UsageRecord.CodingKeys) throws -> Int {
            guard let value = counts[key.rawValue] ?? nil else { throw NotPlain() }
            return value
        }
        var usage = UsageRecord(Usage(inputTokens: try required(.inputTokens), outputTokens: try required(.outputTokens),
                                      totalTokens: try required(.totalTokens)))
        usage.inputTextTokens = counts[UsageRecord.CodingKeys.inputTextTokens.rawValue] ?? nil
        usage.inputImageTokens = counts[UsageRecord.CodingKeys.inputImageTokens.rawValue] ?? nil
        return usage
    }
}
