import Foundation
import KilnCore
import KilnManifest
import KilnPlanner
import Testing

/// `--shard I/N`: the shards split the plan into whole dependency chains, deterministically, evenly
/// over many chains, and stably when assets are added.
@Suite struct ShardingTests {
    /// `count` independent icons (each a generate and a derive), and a poster that edits the logo.
    static func manifest(icons: Int, extra: String = "") -> String {
        var yaml = """
        version: 1
        assets:
          logo:
            prompt: "a logo"
            output: brand/logo.png
          poster:
            prompt: "a poster with the logo"
            images: ["@logo"]
            output: brand/poster.png
            derive:
              - { resize: 64, output: brand/poster-64.png }

        """
        for i in 0..<icons {
            yaml += "  icon\(i):\n    prompt: \"icon number \(i)\"\n    output: icons/\(i).png\n"
            yaml += "    derive:\n      - { resize: 32, output: icons/\(i)-32.png }\n"
        }
        return yaml + extra
    }

    static func plan(_ yaml: String) throws -> Plan {
        try CandidatePlanningTests.planned(yaml)
    }

    @Test func shardsPartitionThePlanIntoWholeChains() throws {
        let plan = try Self.plan(Self.manifest(icons: 300))
        let shards = (1...3).map { plan.restricted(to: ShardSpec(index: $0, count: 3)) }
        let ids = shards.map { Set($0.steps.map(\.id)) }
        #expect(ids.map(\.count).reduce(0, +) == plan.steps.count, "a step is in two shards, or in none")
        #expect(ids.reduce(Set<StepID>()) { $0.union($1) } == Set(plan.steps.map(\.id)))
        for shard in shards {
            let index = shard.index()
            for step in shard.steps {
                for dependency in step.dependencies {
                    #expect(index[dependency] != nil, "\(step.id) reads \(dependency), which is in another shard")
                }
            }
        }
        // The poster and the logo it edits are in one shard.
        let logo = StepID(pipeline: "p", asset: "logo", variant: nil, step: "main")
        let poster = StepID(pipeline: "p", asset: "poster", variant: nil, step: "main")
        #expect(shards.filter { $0.index()[logo] != nil && $0.index()[poster] != nil }.count == 1)
        // Even over many chains: each shard has a third of the icons, give or take.
        for shard in shards {
            let icons = shard.steps.filter { $0.kind == .generate && $0.id.asset.hasPrefix("icon") }.count
            #expect((70...130).contains(icons), "an uneven shard: \(icons) of 300 icons")
        }
        // And the same every time.
        #expect(plan.restricted(to: ShardSpec(index: 2, count: 3)).steps.map(\.id) == shards[1].steps.map(\.id))
    }

    @Test func addingAssetsMovesNoExistingStep() throws {
        let before = try Self.plan(Self.manifest(icons: 40))
        let after = try Self.plan(Self.manifest(icons: 40, extra: "  extra:\n    prompt: \"one more\"\n    output: extra.png\n"))
        func shardOf(_ plan: Plan) -> [StepID: Int] {
            var map = [StepID: Int]()
            for i in 1...4 { for step in plan.restricted(to: ShardSpec(index: i, count: 4)).steps { map[step.id] = i } }
            return map
        }
        let (a, b) = (shardOf(before), shardOf(after))
        #expect(b.count == a.count + 1)
        for (id, shard) in a { #expect(b[id] == shard, "\(id) moved from shard \(shard) to \(b[id] ?? 0)") }
    }

    /// A step's candidates are one request: they stay in one shard.
    @Test func aStepsCandidatesStayTogether() throws {
        let yaml = Self.manifest(icons: 0).replacingOccurrences(of: "    prompt: \"a logo\"\n", with: "    prompt: \"a logo\"\n    candidates: 6\n")
        let plan = try Self.plan(yaml)
        #expect(plan.steps.filter { $0.candidate != nil }.count == 6)
        for n in 2...5 {
            let holding = (1...n).filter { i in plan.restricted(to: ShardSpec(index: i, count: n)).steps.contains { $0.candidate != nil } }
            #expect(holding.count == 1, "candidates split over shards \(holding) of \(n)")
        }
    }

    @Test(arguments: ["1/3", "3/3", "1/1"]) func validSpecsParse(_ text: String) {
        #expect(ShardSpec(parsing: text)?.description == text)
    }

    @Test(arguments: ["0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/3", " 1/3", "1/1001"])
    func invalidSpecsAreRefused(_ text: String) {
        #expect(ShardSpec(parsing: text) == nil)
    }
}
