import KilnCore
import KilnManifest

/// One combination of an asset's matrix values (or the single variant of an asset without one).
struct Variant: Sendable {
    /// Position among the asset's variants.
    var index: Int = 0
    /// Readable id (`corgi-happy`), nil without a matrix.
    var id: String?
    /// Axis name → value, in axis order.
    var values: [(axis: String, value: String)]
    /// The same values by axis name (what a planned step records).
    let dictionary: [String: String]

    init(index: Int = 0, id: String?, values: [(axis: String, value: String)]) {
        self.index = index
        self.id = id
        self.values = values
        dictionary = Dictionary(values.map { ($0.axis, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}

/// Expands `matrix:` into variants: the cartesian product in axis order, minus `exclude`, plus `include`.
enum VariantExpansion {
    /// More variants than this in one asset is refused before anything is built.
    static let limit = 10_000

    static func variants(of asset: Asset, diagnostics: inout [Diagnostic]) -> [Variant] {
        guard let matrix = asset.matrix, !matrix.axes.isEmpty else { return [Variant(id: nil, values: [])] }
        let axes = matrix.axes.map { (name: $0.name.value, values: $0.values.map(\.value)) }
        guard let product = product(of: axes, in: asset, diagnostics: &diagnostics) else { return [] }
        let excluded = matrix.exclude.map { $0.values.mapValues(\.value) }
        var combos = [[String]]()
        combos.reserveCapacity(product)
        var current = [String]()
        func walk(_ depth: Int) {
            if depth == axes.count { combos.append(current); return }
            for value in axes[depth].values {
                current.append(value)
                walk(depth + 1)
                current.removeLast()
            }
        }
        walk(0)
        var ids = VariantIDs(asset: asset.name.value, axes: axes)
        for combo in combos where !excluded.contains(where: { rule in matches(rule, combo, axes) }) {
            ids.add(combo, at: matrix.location, diagnostics: &diagnostics)
        }
        for include in matrix.include {
            ids.add(axes.map { include.values[$0.name]?.value ?? "" }, at: include.location, diagnostics: &diagnostics)
        }
        if ids.result.isEmpty {
            diagnostics.append(.error("asset '\(asset.name.value)' has no variants: 'exclude' removes every combination of the matrix",
                                      at: matrix.location))
        }
        return ids.result
    }

    /// The size of the matrix's product; nil, with an error, when the asset would pass `limit`.
    private static func product(of axes: [(name: String, values: [String])], in asset: Asset,
                                diagnostics: inout [Diagnostic]) -> Int? {
        guard let matrix = asset.matrix else { return 1 }
        var product = 1
        for axis in axes {
            let (next, overflow) = product.multipliedReportingOverflow(by: max(axis.values.count, 1))
            product = overflow ? .max : next
        }
        guard product > limit - matrix.include.count else { return product }
        // Exact without excludes; with them an upper bound (the decoder has counted exactly by then).
        let total = product == .max ? "more than 10^18" : (product + matrix.include.count).thousandsGrouped
        let count = matrix.exclude.isEmpty || product == .max ? total : "up to \(total)"
        diagnostics.append(.error("asset '\(asset.name.value)' expands to \(count) variants (limit 10,000): narrow the matrix or split the asset",
                                  at: matrix.location))
        return nil
    }

    /// Variants with their ids, in order: a combination whose id another already has is dropped
    /// (an error when the values differ), and ids that differ only in case are warned about.
    private struct VariantIDs {
        let asset: String
        let axes: [(name: String, values: [String])]
        var result = [Variant]()
        var seen = [String: Int]()
        var folded = [String: String]()

        init(asset: String, axes: [(name: String, values: [String])]) {
            self.asset = asset
            self.axes = axes
        }

        mutating func add(_ combo: [String], at location: SourceLocation, diagnostics: inout [Diagnostic]) {
            let values = zip(axes, combo).map { (axis: $0.name, value: $1) }
            let id = combo.map(VariantExpansion.slug).joined(separator: "-")
            if let other = seen[id] {
                if result[other].values.map(\.value) != combo {
                    diagnostics.append(.error("variants \(VariantExpansion.describe(result[other].values)) and \(VariantExpansion.describe(values)) of asset '\(asset)' both get the id '\(id)': make the values differ in letters or digits",
                                              at: location))
                }
                return
            }
            if let other = folded[id.lowercased()] {
                diagnostics.append(.warning("variant ids '\(other)' and '\(id)' of asset '\(asset)' differ only in case: on a case-insensitive disk (macOS, Windows) their files collide",
                                            at: location))
            } else {
                folded[id.lowercased()] = id
            }
            seen[id] = result.count
            result.append(Variant(index: result.count, id: id, values: values))
        }
    }

    private static func matches(_ rule: [String: String], _ combo: [String], _ axes: [(name: String, values: [String])]) -> Bool {
        for (i, axis) in axes.enumerated() {
            if let wanted = rule[axis.name], wanted != combo[i] { return false }
        }
        return true
    }

    private static func describe(_ values: [(axis: String, value: String)]) -> String {
        "{" + values.map { "\($0.axis): \($0.value)" }.joined(separator: ", ") + "}"
    }

    /// Letters, digits, `.` and `_` kept; every other run of characters becomes one `-`.
    static func slug(_ value: String) -> String {
        var out = ""
        var dash = false
        for scalar in value.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "." {
                out.unicodeScalars.append(scalar)
                dash = false
            } else if !dash && !out.isEmpty {
                out += "-"
                dash = true
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "_" : out
    }
}
