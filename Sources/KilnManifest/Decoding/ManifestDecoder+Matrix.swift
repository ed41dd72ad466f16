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
        for item in entries {
            if ManifestKeys.matrix[item.name] != nil {
                combinations.append((item, self.combinations(item)))
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
        if count > Self.variantLimit {
            error("asset '\(asset)' expands to \(count) variants (limit 10,000): narrow the matrix or split the asset",
                  at: entry.location)
        }
        return matrix
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

    /// Variants after `exclude` and `include`. Counted exactly up to a million combinations; past
    /// that, excludes cannot plausibly bring it under the limit, and the product is reported.
    func variantCount(_ matrix: Matrix) -> Int {
        let counts = matrix.axes.map { max($0.values.count, 0) }
        let product = counts.reduce(1) { a, b in a.multipliedReportingOverflow(by: b).overflow ? .max : a * b }
        guard product > Self.variantLimit, product <= 1_000_000, !matrix.exclude.isEmpty else {
            return product == .max ? product : product + matrix.include.count
        }
        var excluded = 0
        var index = [Int](repeating: 0, count: counts.count)
        for _ in 0..<product {
            let matches = matrix.exclude.contains { combination in
                combination.values.allSatisfy { name, value in
                    guard let a = matrix.axes.firstIndex(where: { $0.name.value == name }) else { return false }
                    return matrix.axes[a].values[index[a]].value == value.value
                }
            }
            if matches { excluded += 1 }
            var a = counts.count - 1
            while a >= 0 { index[a] += 1; if index[a] < counts[a] { break }; index[a] = 0; a -= 1 }
        }
        return product - excluded + matrix.include.count
    }
}
