import Foundation
import KilnCore
@testable import KilnEngine
import KilnTestSupport
import Testing
@testable import KilnCache

/// The engine makes the cache's 256 fan-out folders up front only for builds large enough to fill them.
@Suite struct CachePreparationTests {
    let f: Fixture
    var cache: ResultCache { f.cache }

    init() throws { f = try Fixture() }

    @Test func aLargeBuildPreparesItsCacheAndASmallOneMakesOnlyWhatItUses() async throws {
        let many = (0..<BuildEngine.stepsWorthPreparingTheCache).map { TestSteps.generate("g\($0)") }
        #expect(await f.engine(many).run().summary.exitCode == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.actionsPath).count == 256)

        let small = try Fixture()
        #expect(await small.engine([TestSteps.generate("g")]).run().summary.exitCode == 0)
        let used = try FileManager.default.contentsOfDirectory(atPath: small.cache.actionsPath)
        #expect(used == [String(TestSteps.generate("g").cacheKey.prefix(2))])
    }
}
