/// What a file that is not text probably is, from its first bytes ("magic numbers"), so the message
/// can say "looks like a PNG image" rather than only "not UTF-8". Consulted only once the bytes
/// have already failed as text: a manifest that happens to start with "GIF89a" is not flagged.
enum FileSignature {
    private static let known: [(bytes: [UInt8], offset: Int, name: String)] = [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], 0, "a PNG image"),
        ([0xFF, 0xD8, 0xFF], 0, "a JPEG image"),
        (Array("GIF87a".utf8), 0, "a GIF image"),
        (Array("GIF89a".utf8), 0, "a GIF image"),
        (Array("WEBP".utf8), 8, "a WebP image"),
        (Array("ftypavif".utf8), 4, "an AVIF image"),
        (Array("ftypheic".utf8), 4, "a HEIC image"),
        ([0x49, 0x49, 0x2A, 0x00], 0, "a TIFF image"),
        ([0x4D, 0x4D, 0x00, 0x2A], 0, "a TIFF image"),
        ([0x00, 0x00, 0x01, 0x00], 0, "an ICO icon"),
        (Array("BM".utf8), 0, "a BMP image"),
        (Array("%PDF-".utf8), 0, "a PDF document"),
        (Array("PK\u{03}\u{04}".utf8), 0, "a ZIP archive"),
        ([0x1F, 0x8B], 0, "a gzip archive"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], 0, "an xz archive"),
        ([0x28, 0xB5, 0x2F, 0xFD], 0, "a zstd archive"),
        ([0x7F, 0x45, 0x4C, 0x46], 0, "an ELF executable"),
        ([0xCF, 0xFA, 0xED, 0xFE], 0, "a Mach-O executable"),
        (Array("SQLite format 3\u{0}".utf8), 0, "an SQLite database"),
    ]

    /// "a PNG image", "a PDF document", … or nil when the start of `bytes` matches nothing known.
    static func describe(_ bytes: some Collection<UInt8>) -> String? {
        let head = Array(bytes.prefix(16))
        for entry in known where head.count >= entry.offset + entry.bytes.count {
            if Array(head[entry.offset..<entry.offset + entry.bytes.count]) == entry.bytes {
                return entry.name
            }
        }
        return nil
    }
}
