import Foundation
import KilnCore

extension LockFile {
    /// The file's bytes: deterministic JSON, keys sorted, 2-space indent, one block per step, one
    /// line per output, a trailing newline. Hand-written rather than `JSONEncoder` so 10,000 steps
    /// encode in a few milliseconds.
    public func encoded() -> Data {
        var out = JSONTextWriter()
        out.reserve(steps.count * 900 + 64)
        out.raw("{\n  \"steps\": {")
        // Sort (id text, dictionary index) pairs rather than whole entries: moving a `Step` while
        // sorting costs retains and releases of all its fields.
        var order = [(id: String, index: Dictionary<StepID, Step>.Index)]()
        order.reserveCapacity(steps.count)
        var index = steps.startIndex
        while index != steps.endIndex {
            order.append((steps[index].key.description, index))
            steps.formIndex(after: &index)
        }
        order.sort { $0.id < $1.id }
        for (i, entry) in order.enumerated() {
            out.raw(i == 0 ? "\n    " : ",\n    ")
            out.string(entry.id)
            out.raw(": ")
            write(steps[entry.index].value, to: &out)
        }
        out.raw(order.isEmpty ? "},\n" : "\n  },\n")
        out.raw("  \"version\": \(version)\n}\n")
        return out.data
    }

    private func write(_ step: Step, to out: inout JSONTextWriter) {
        // Keys in sorted order: cache_key, fingerprint, kind, model, outputs, provider.
        out.raw("{\n      \"cache_key\": ")
        out.string(step.cacheKey)
        out.raw(",\n      \"fingerprint\": {")
        let fields = step.fields.sorted { $0.key < $1.key }
        for (i, field) in fields.enumerated() {
            out.raw(i == 0 ? "\n        " : ",\n        ")
            out.string(field.key)
            out.raw(": ")
            out.string(field.value)
        }
        out.raw(fields.isEmpty ? "},\n" : "\n      },\n")
        out.raw("      \"kind\": ")
        out.string(step.kind.rawValue)
        if let model = step.model {
            out.raw(",\n      \"model\": ")
            out.string(model)
        }
        out.raw(",\n      \"outputs\": [")
        for (i, output) in step.outputs.sorted().enumerated() {
            out.raw(i == 0 ? "\n        {\"path\": " : ",\n        {\"path\": ")
            out.string(output.path)
            out.raw(", \"sha256\": ")
            out.string(output.sha256)
            out.raw("}")
        }
        out.raw(step.outputs.isEmpty ? "]" : "\n      ]")
        if let provider = step.provider {
            out.raw(",\n      \"provider\": ")
            out.string(provider)
        }
        out.raw("\n    }")
    }
}

/// Appends JSON text to a byte buffer; strings are escaped per RFC 8259 (quote, backslash and
/// control characters; everything else, `/` and non-ASCII included, is written as is).
package struct JSONTextWriter {
    private(set) var bytes = [UInt8]()

    package mutating func reserve(_ count: Int) { bytes.reserveCapacity(count) }

    package mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    package mutating func string(_ text: String) {
        var text = text
        bytes.append(0x22)
        text.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go; most strings are a single run.
            var runStart = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                escape(byte)
                runStart = i + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        }
        bytes.append(0x22)
    }

    private mutating func escape(_ byte: UInt8) {
        bytes.append(0x5C)
        switch byte {
        case 0x22, 0x5C: bytes.append(byte)
        case 0x0A: bytes.append(0x6E)  // n
        case 0x0D: bytes.append(0x72)  // r
        case 0x09: bytes.append(0x74)  // t
        case 0x08: bytes.append(0x62)  // b
        case 0x0C: bytes.append(0x66)  // f
        default:
            let digits: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [0x75, 0x30, 0x30])  // u00
            digits.withUTF8Buffer { hex in
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    package var data: Data { Data(bytes) }
}
