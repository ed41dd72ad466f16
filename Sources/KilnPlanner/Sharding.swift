import Foundation
import KilnCore

/// `kiln build --shard I/N`: one of N parts of a plan, for N CI machines that share a remote cache,
/// followed by one `kiln build --cache-only` that assembles outputs/ and kiln.lock from the cache.
///
/// The unit is a **dependency chain**: a step and every step it reads, or that reads it (and a
/// step's candidates, which are one request), go to the same shard (the plan's connected pieces: usually one asset's generate, edits and derives). A
/// shard therefore never needs a step another shard makes, so nothing is paid for twice and no
/// shard waits for another. A piece's shard is the SHA-256 of the smallest cache key in it, modulo
/// N: deterministic, spread evenly over many pieces, and stable when assets are added (hashing on
/// keys, not positions) — only a piece whose steps change moves.
public struct ShardSpec: Sendable, Hashable, CustomStringConvertible {
    /// 1-based.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `I/N` with 1 ≤ I ≤ N ≤ 1000.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), (1...1000).contains(n), (1...n).contains(i) else {
            return nil
        }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }
}

extension Plan {
    /// The plan's connected pieces (steps joined by a dependency either way), each as indices into
    /// `steps` in plan order.
    public func dependencyPieces() -> [[Int]] {
        let index = self.index()
        var parent = Array(steps.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        // A step's candidates go together, so they stay one request (`candidates: N`).
        var candidateGroups = [StepID: Int]()
        for (i, step) in steps.enumerated() where step.candidate != nil {
            let group = step.id.candidateOf?.step ?? step.id
            if let j = candidateGroups[group] {
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            } else {
                candidateGroups[group] = i
            }
        }
        for (i, step) in steps.enumerated() {
            for dependency in step.dependencies {
                guard let j = index[dependency] else { continue }
                let (a, b) = (root(i), root(j))
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var pieces = [Int: [Int]]()
        for i in steps.indices { pieces[root(i), default: []].append(i) }
        return pieces.keys.sorted().map { pieces[$0] ?? [] }
    }

    /// Which shard (1-based) of `count` a piece belongs to.
    static func shard(of piece: [Int], in steps: [PlannedStep], count: Int) -> Int {
        let key = piece.map { steps[$0].cacheKey }.min() ?? ""
        let digest = Digest.sha256(key)
        let value = UInt64(digest.prefix(16), radix: 16) ?? 0
        return Int(value % UInt64(count)) + 1
    }

    /// The steps of `shard`, in plan order; every step they read is among them.
    public func restricted(to shard: ShardSpec) -> Plan {
        var keep = [Bool](repeating: false, count: steps.count)
        for piece in dependencyPieces() where Self.shard(of: piece, in: steps, count: shard.count) == shard.index {
            for i in piece { keep[i] = true }
        }
        var part = self
        part.steps = steps.indices.filter { keep[$0] }.map { steps[$0] }
        return part
    }
}
