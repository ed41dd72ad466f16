import KilnCore
import Yams

extension ManifestDecoder {
    /// The most variants one asset may expand to.
    static let variantLimit = 10_000
    static let builtinNames: Set<String> = ["pipeline", "asset", "variant", "step", "ext", "size", "index"]

    /// `matrix:` — axes in file order plus `exclude`/`include`.
    func matrix(_ entry: Entry, asset: String) -> Matrix? {
        guard let entries = entries(entry.value, ManifestKeys.matrix, in: "'matrix'", what: "'matrix'",
                                    isExtra: { _ in true }) else { return nil }
        var matrix = Matrix(axes: [], location: location(entry.value))
        var combinations = [(Entry, [Matrix.Combination])]()
        let errorsAtStart = diagnostics.errors.count
        for item in entries {
            if ManifestKeys.matrix[item.name] != nil {
                combinations.append((item, self.combinations(item)))
            } else if let reserved = misspelledReservedKey(item.name) {
                error("unknown key '\(item.name)' in 'matrix' (did you mean '\(reserved)'?): every other key is an axis", at: item.location)
            } else if let axis = axis(item) {
                matrix.axes.append(axis)
            }
        }
        guard !matrix.axes.isEmpty else {
            error("'matrix' has no axes: add one like 'animal: [corgi, cat]'", at: entry.location)
            return nil
        }
        let axes = Dictionary(matrix.axes.map { ($0.name.value, $0) }, uniquingKeysWith: { a, _ in a })
        let axisValues = axes.mapValues { Set($0.values.map(\.value)) }
        for (item, list) in combinations {
            let isExclude = item.name == "exclude"
            for combination in list {
                for (name, value) in combination.values.sorted(by: { $0.value.location.column < $1.value.location.column }) {
                    guard let axis = axes[name] else {
                        var message = "\(item.name) names unknown matrix axis '\(name)'"
                        if let best = Suggestions.closest(to: name, in: Array(axes.keys)) { message += " (did you mean '\(best)'?)" }
                        error(message, at: value.location)
                        continue
                    }
                    if isExclude, axisValues[name]?.contains(value.value) != true {
                        let known = axis.values.map(\.value).joined(separator: ", ")
                        error("exclude: '\(value.value)' is not a value of axis '\(name)' (values: \(known))", at: value.location)
                    }
                }
                if !isExclude {
                    for axis in matrix.axes where combination.values[axis.name.value] == nil {
                        error("include entry is missing axis '\(axis.name.value)': each include gives every axis",
                              at: combination.location)
                    }
                }
            }
            if isExclude { matrix.exclude = list } else { matrix.include = list }
        }
        let count = variantCount(matrix)
        if count.exceeds(Self.variantLimit) {
            error("asset '\(asset)' expands to \(count.phrase) (limit 10,000): narrow the matrix or split the asset",
                  at: entry.location)
        } else if count == .exactly(0), matrix.axes.allSatisfy({ !$0.values.isEmpty }),
                  diagnostics.errors.count == errorsAtStart {   // not a follow-on of an exclude already reported
            error("asset '\(asset)' has no variants: 'exclude' removes every combination of the matrix", at: entry.location)
        }
        warnDuplicateIncludes(matrix)
        return matrix
    }

    /// `exlude`, `Include`, `inlcude`: a key that is almost a reserved one is a typo, not an axis.
    private func misspelledReservedKey(_ name: String) -> String? {
        let reserved = ManifestKeys.matrix.names
        if let same = reserved.first(where: { $0 == name.lowercased() }) { return same }
        guard let best = Suggestions.closest(to: name, in: reserved) else { return nil }
        return Suggestions.distance(name.lowercased(), best) <= 2 ? best : nil
    }

    /// The same include written twice makes one variant; the second is a mistake worth a word.
    private func warnDuplicateIncludes(_ matrix: Matrix) {
        var seen = [[String: String]: SourceLocation]()
        for combination in matrix.include {
            let values = combination.values.mapValues(\.value)
            if let first = seen[values] {
                warning("duplicate include entry (the same as line \(first.line)): it adds no variant", at: combination.location)
            } else {
                seen[values] = combination.location
            }
        }
    }

    private func axis(_ item: Entry) -> Matrix.Axis? {
        if !Template.isValidName(item.name) || item.name.hasPrefix("env.") {
            error("matrix axis '\(item.name)' is not a valid name (letters, digits, '_' and '-')", at: item.location)
        } else if Self.builtinNames.contains(item.name) {
            error("matrix axis '\(item.name)' would hide the built-in {{\(item.name)}}: rename it", at: item.location)
        }
        guard case let .sequence(sequence) = item.value else {
            error("matrix axis '\(item.name)' must be a list of values, not \(kind(item.value))", at: location(item.value))
            return nil
        }
        var values = [Located<String>]()
        var seen = Set<String>()   // a 10,000-value axis must not cost 10,000² comparisons
        for node in sequence {
            guard case let .scalar(scalar) = node, !Self.isNull(node) else {
                error("matrix values must be strings or numbers; this one is \(kind(node))", at: location(node))
                continue
            }
            if !seen.insert(scalar.string).inserted {
                error("duplicate value '\(scalar.string)' on matrix axis '\(item.name)'", at: location(node))
                continue
            }
            values.append(Located(scalar.string, at: location(node)))
        }
        if sequence.isEmpty {
            error("matrix axis '\(item.name)' is empty: list at least one value", at: item.location)
        }
        return Matrix.Axis(name: Located(item.name, at: item.location), values: values)
    }

    private func combinations(_ item: Entry) -> [Matrix.Combination] {
        guard case let .sequence(sequence) = item.value else {
            error("'\(item.name)' must be a list of mappings like {animal: fox}, not \(kind(item.value))",
                  at: location(item.value))
            return []
        }
        return sequence.compactMap { node in
            guard case let .mapping(mapping) = node else {
                error("'\(item.name)' entries must be mappings like {animal: fox}, not \(kind(node))", at: location(node))
                return nil
            }
            var values = [String: Located<String>]()
            for (key, value) in mapping {
                guard let name = key.string, case let .scalar(scalar) = value else {
                    error("'\(item.name)' entries map axis names to single values", at: location(key))
                    continue
                }
                values[name] = Located(scalar.string, at: location(key))
            }
            return Matrix.Combination(values: values, location: location(node))
        }
    }

    /// How many variants a matrix makes: exact, or a bound when it is too large to say exactly.
    enum VariantCount: Equatable {
        case exactly(Int)
        case atLeast(Int)
        /// The product of the axes overflows 64 bits.
        case astronomical

        func exceeds(_ limit: Int) -> Bool {
            switch self {
            case let .exactly(n), let .atLeast(n): n > limit
            case .astronomical: true
            }
        }

        var phrase: String {
            switch self {
            case let .exactly(n): "\(n.thousandsGrouped) variant\(n == 1 ? "" : "s")"
            case let .atLeast(n): "at least \(n.thousandsGrouped) variants"
            case .astronomical: "more than 10^18 variants"
            }
        }
    }

    /// Variants after `exclude` and `include`: the product minus the combinations some exclude
    /// matches, by inclusion–exclusion over the exclude entries (exact for up to 16 of them; past
    /// that, a lower bound that subtracts every entry's matches), plus the includes.
    func variantCount(_ matrix: Matrix) -> VariantCount {
        let counts = matrix.axes.map(\.values.count)
        var product = 1
        for count in counts {
            let (next, overflow) = product.multipliedReportingOverflow(by: count)
            if overflow { return .astronomical }
            product = next
        }
        let rules = matrix.exclude.map { $0.values.mapValues(\.value) }
        let sizes = Dictionary(matrix.axes.map { ($0.name.value, $0.values.count) }, uniquingKeysWith: { a, _ in a })
        /// Combinations matching every rule in `subset`: 0 when two rules fix an axis differently.
        func matching(_ subset: [[String: String]]) -> Int {
            var fixed = [String: String]()
            for rule in subset {
                for (axis, value) in rule {
                    if let other = fixed[axis], other != value { return 0 }
                    fixed[axis] = value
                }
            }
            return fixed.keys.reduce(product) { total, axis in total / max(sizes[axis] ?? 1, 1) }
        }
        let includes = matrix.include.count
        guard rules.count <= 16 else {
            let bound = rules.reduce(product) { $0 - matching([$1]) }
            return .atLeast(max(bound, 0) + includes)
        }
        var excluded = 0
        for mask in 1..<(1 << rules.count) {
            let subset = rules.indices.filter { mask & (1 << $0) != 0 }.map { rules[$0] }
            excluded += (subset.count % 2 == 1 ? 1 : -1) * matching(subset)
        }
        return .exactly(product - excluded + includes)
    }
}
