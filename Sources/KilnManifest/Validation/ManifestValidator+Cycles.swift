import KilnCore

extension ManifestValidator {
    /// One error per dependency cycle (a strongly connected component of more than one step),
    /// printing the cycle from its first step in file order.
    mutating func checkCycles() {
        let order = manifest.assets.flatMap { asset in asset.steps.map { "\(asset.name.value)/\($0.name.value)" } }
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        for component in stronglyConnectedComponents(order) where component.count > 1 {
            let members = Set(component)
            guard let start = component.min(by: { position[$0, default: 0] < position[$1, default: 0] }),
                  let path = shortestCycle(from: start, within: members) else { continue }
            let location = edges[start]?.first { members.contains($0.target) }?.location
            let text = (path + [start]).joined(separator: " → ")
            diagnostics.append(.error("dependency cycle: \(text)", at: location ?? manifest.location))
        }
    }

    /// Breadth-first from `start` back to itself inside one component; the path excludes the final return.
    private func shortestCycle(from start: String, within members: Set<String>) -> [String]? {
        var previous = [String: String]()
        var queue = [start], head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for edge in edges[node] ?? [] where members.contains(edge.target) {
                if edge.target == start {
                    var path = [node]
                    while let p = previous[path[0]] { path.insert(p, at: 0) }
                    return path
                }
                if previous[edge.target] == nil, edge.target != start {
                    previous[edge.target] = node
                    queue.append(edge.target)
                }
            }
        }
        return nil
    }

    /// Tarjan's algorithm, iterating nodes in file order so results are deterministic.
    private func stronglyConnectedComponents(_ nodes: [String]) -> [[String]] {
        var index = [String: Int](), low = [String: Int](), onStack = Set<String>()
        var stack = [String](), components = [[String]](), counter = 0
        func visit(_ v: String) {
            index[v] = counter
            low[v] = counter
            counter += 1
            stack.append(v)
            onStack.insert(v)
            for edge in edges[v] ?? [] {
                let w = edge.target
                if index[w] == nil {
                    visit(w)
                    low[v] = min(low[v]!, low[w]!)
                } else if onStack.contains(w) {
                    low[v] = min(low[v]!, index[w]!)
                }
            }
            if low[v] == index[v] {
                var component = [String]()
                while let w = stack.popLast() {
                    onStack.remove(w)
                    component.append(w)
                    if w == v { break }
                }
                components.append(component)
            }
        }
        for node in nodes where index[node] == nil { visit(node) }
        return components
    }
}
