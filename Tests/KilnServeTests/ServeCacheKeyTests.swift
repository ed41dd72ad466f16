import Foundation
import KilnCore
import KilnManifest
import KilnPlanner
import KilnTestSupport
import Testing

/// The server and a manifest share cache entries: `RequestCacheKey` (what the server calls) gives
/// the key the planner gives the same step.
@Suite("kiln serve: cache keys equal the planner's")
struct ServeCacheKeyTests {
    static let inputs = KilnBinary.repositoryRoot.appendingPathComponent("pipelines")

    func plan(_ yaml: String) throws -> Plan {
        let loaded = ManifestLoader.load(text: yaml, displayPath: "p.yaml", directory: Self.inputs.path)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics)")
        return try Planner.plan([try #require(loaded.manifest)], options: PlannerOptions(defaultProvider: "openai"))
    }

    @Test("a generate step")
    func generate() throws {
        let plan = try plan("""
        version: 1
        assets:
          lighthouse:
            prompt: "a   lighthouse at dawn"
            size: 1024x1024
            quality: low
        """)
        let step = try #require(plan.steps.first)
        let key = RequestCacheKey.make(kind: .generate, provider: "openai", model: ModelCatalog.defaultModel,
                                       parameters: ImageParameters(size: .fixed(width: 1024, height: 1024), quality: .low),
                                       prompt: Prompt.normalizeWhitespace("a lighthouse  at dawn"))
        #expect(step.cacheKey == key)
        let other = RequestCacheKey.make(kind: .generate, provider: "openai", model: ModelCatalog.defaultModel,
                                         parameters: ImageParameters(size: .fixed(width: 1024, height: 1024), quality: .medium),
                                         prompt: "a lighthouse at dawn")
        #expect(step.cacheKey != other)
    }

    @Test("an edit step with files and a mask: inputs by content")
    func edit() throws {
        let plan = try plan("""
        version: 1
        assets:
          hero:
            steps:
              final:
                edit:
                  images: [inputs/product.png]
                  mask: inputs/hero-mask.png
                  prompt: "the product on a table"
                  size: 1536x1024
        """)
        let step = try #require(plan.steps.first { $0.kind == .edit })
        let product = try Digest.sha256(fileAt: Self.inputs.appendingPathComponent("inputs/product.png"))
        let mask = try Digest.sha256(fileAt: Self.inputs.appendingPathComponent("inputs/hero-mask.png"))
        let key = RequestCacheKey.make(kind: .edit, provider: "openai", model: ModelCatalog.defaultModel,
                                       parameters: try #require(step.parameters), prompt: "the product on a table",
                                       inputDigests: [product], maskDigest: mask)
        #expect(step.cacheKey == key)
        #expect(step.parameters == ImageParameters(size: .fixed(width: 1536, height: 1024)))
    }
}
