import KilnCore
import KilnManifest
@testable import KilnPlanner
import Testing

private let here = SourceLocation(file: "t.yaml", line: 1, column: 1)

private func matrix(_ axes: [(String, [String])], exclude: [[String: String]] = [],
                    include: [[String: String]] = []) -> Asset {
    func combo(_ values: [String: String]) -> Matrix.Combination {
        Matrix.Combination(values: values.mapValues { Located($0, at: here) }, location: here)
    }
    let m = Matrix(axes: axes.map { Matrix.Axis(name: Located($0.0, at: here), values: $0.1.map { Located($0, at: here) }) },
                   exclude: exclude.map(combo), include: include.map(combo), location: here)
    return Asset(name: Located("pack", at: here), matrix: m)
}

@Test func cartesianProductInAxisOrderWithExcludeAndInclude() {
    var diagnostics = [Diagnostic]()
    let asset = matrix([("animal", ["corgi", "cat", "fox"]), ("mood", ["happy", "sleepy"])],
                       exclude: [["animal": "fox", "mood": "sleepy"]], include: [["animal": "otter", "mood": "happy"]])
    let ids = VariantExpansion.variants(of: asset, diagnostics: &diagnostics).map(\.id)
    #expect(diagnostics.isEmpty)
    #expect(ids == ["corgi-happy", "corgi-sleepy", "cat-happy", "cat-sleepy", "fox-happy", "otter-happy"])
}

@Test func excludeWithOneAxisRemovesEveryMatch() {
    var diagnostics = [Diagnostic]()
    let asset = matrix([("a", ["x", "y"]), ("b", ["1", "2"])], exclude: [["a": "x"]])
    #expect(VariantExpansion.variants(of: asset, diagnostics: &diagnostics).map(\.id) == ["y-1", "y-2"])
}

@Test func refusesAbsurdExpansions() {
    var diagnostics = [Diagnostic]()
    let values = (1...101).map(String.init)
    let asset = matrix([("a", values), ("b", values)])
    #expect(VariantExpansion.variants(of: asset, diagnostics: &diagnostics).isEmpty)
    #expect(diagnostics.first?.message.contains("expands to 10,201 variants (limit 10,000)") == true)
}

@Test func collidingVariantIdsAreAnError() {
    var diagnostics = [Diagnostic]()
    let asset = matrix([("a", ["x y", "x-y"])])
    _ = VariantExpansion.variants(of: asset, diagnostics: &diagnostics)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.message.contains("both get the id 'x-y'") == true)
}

@Test(arguments: [
    ("Corgi Astronaut!", "Corgi-Astronaut"), ("1024", "1024"), ("a/b", "a-b"), ("v1.5", "v1.5"), ("!!", "_"),
])
func slugsAreReadable(value: String, slug: String) {
    #expect(VariantExpansion.slug(value) == slug)
}

@Test(arguments: [
    ("stickers", "stickers/corgi-pack@corgi-happy/main", true),
    ("corgi-pack", "stickers/corgi-pack@corgi-happy/main", true),
    ("stickers/corgi-pack", "stickers/corgi-pack@corgi-happy/main", true),
    ("stickers/corgi-pack@corgi-happy", "stickers/corgi-pack@corgi-happy/main", true),
    ("stickers/corgi-pack@corgi-happy/main", "stickers/corgi-pack@corgi-happy/main", true),
    ("stickers/corgi-pack@*-happy", "stickers/corgi-pack@corgi-happy/main", true),
    ("stickers/corgi-pack@*-happy", "stickers/corgi-pack@corgi-sleepy/main", false),
    ("*/hero", "hero/hero/final", true),
    ("stick*", "stickers/corgi-pack@corgi-happy/main", true),
    ("icons", "stickers/corgi-pack@corgi-happy/main", false),
    ("stickers/corgi", "stickers/corgi-pack@corgi-happy/main", false),
])
func targetsMatchStepIDs(target: String, id: String, expected: Bool) throws {
    let stepID = try #require(StepID(parsing: id))
    #expect(TargetSelector.matches(target, stepID) == expected)
}
