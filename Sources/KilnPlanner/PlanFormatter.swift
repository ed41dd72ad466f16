import Foundation
import KilnCore

/// Human renderings of a plan: the `kiln plan` table and `kiln graph` in DOT or Mermaid.
public enum PlanFormatter {
    /// One row per step in order, with its dependencies, then totals.
    public static func table(_ plan: Plan) -> String {
        // VIA (batch or direct) only when some step goes in a batch (`mode: batch`, `--batch`).
        let via = plan.steps.contains { $0.mode == .batch }
        var header = ["STEP", "KIND", "PROVIDER", "MODEL", "SIZE", "QUALITY", "AFTER", "EST. USD"]
        if via { header.insert("VIA", at: 3) }
        let index = plan.index()
        var rows = [header]
        for step in plan.steps {
            let after = step.dependencies.compactMap { index[$0] }.map { "#\($0 + 1)" }.joined(separator: ",")
            let size: String
            if let d = step.derive {
                size = d.resize.map { r in "→\(r.width.map(String.init) ?? "")x\(r.height.map(String.init) ?? "")" } ?? "—"
            } else {
                size = step.parameters?.size?.description ?? "auto"
            }
            var row = [
                "#\(rows.count) \(step.id)" + (step.aliases.isEmpty ? "" : " (+\(step.aliases.count) same)"),
                step.kind.rawValue, step.provider ?? "local", step.model ?? "—", size,
                step.parameters?.quality?.rawValue ?? "—", after.isEmpty ? "—" : after,
                step.estimate.map { money($0.usd) } ?? "—",
            ]
            if via { row.insert(step.mode == .batch ? "batch" : step.kind.usesProvider ? "direct" : "—", at: 3) }
            rows.append(row)
        }
        var out = align(rows)
        let t = PlanDocument.Totals(of: plan)
        out += "\n\(t.steps) step\(t.steps == 1 ? "" : "s") (\(t.generate) generate, \(t.edit) edit, \(t.derive) derive), "
        out += "\(t.outputs) output file\(t.outputs == 1 ? "" : "s"), estimated \(money(t.estimatedUSD)) "
        out += "(\(t.estimatedOutputTokens) output tokens; estimates use CONTRACT.md's token table)\n"
        out += candidateLines(plan)
        let placeholder = plan.steps.compactMap { plan.openAIEquivalentUSD[$0.id] }
        if !placeholder.isEmpty {
            let usd = placeholder.reduce(0, +)
            out += "\(placeholder.count) step\(placeholder.count == 1 ? " is" : "s are") rendered offline by the placeholder provider for free; with OpenAI the same plan would cost about \(money(usd + t.estimatedUSD))\n"
        }
        return out
    }

    /// One line per step with candidates (the first 20): which one is in use, and how to choose.
    static func candidateLines(_ plan: Plan) -> String {
        guard !plan.candidates.isEmpty else { return "" }
        let sets = plan.candidates.sorted { $0.key < $1.key }
        var out = ""
        for (id, set) in sets.prefix(20) { out += "\(id): \(set.summary)\n" }
        if sets.count > 20 { out += "… and \(sets.count - 20) more step(s) with candidates (`kiln status` lists them)\n" }
        if sets.contains(where: { !$0.value.picked }) { out += "`kiln pick TARGET K` chooses a candidate\n" }
        return out
    }

    public static func money(_ usd: Double) -> String {
        String(format: usd < 1 ? "$%.4f" : "$%.2f", usd)
    }

    static func align(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows.first?.count ?? 0)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : padded(cell, to: widths[i])
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// `cell.padding(toLength: width, withPad: " ", startingAt: 0)`, which counts UTF-16 units:
    /// spaces appended in place when the cell fits (always, but for wide characters), Foundation's
    /// answer otherwise. Foundation's took a sixth of `kiln plan` on 20,000 rows.
    static func padded(_ cell: String, to width: Int) -> String {
        let length = cell.utf16.count
        guard length <= width else { return cell.padding(toLength: width, withPad: " ", startingAt: 0) }
        return length == width ? cell : cell + String(repeating: " ", count: width - length)
    }

    /// Graphviz DOT: one node per step, an edge from each dependency.
    public static func dot(_ plan: Plan) -> String {
        var out = "digraph kiln {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
        for step in plan.steps {
            let shape = step.kind == .derive ? ", style=rounded" : ""
            out += "  \(quote(step.id.description)) [label=\(quote("\(step.id)\n\(step.kind.rawValue)"))\(shape)];\n"
        }
        for step in plan.steps {
            for dep in step.dependencies {
                out += "  \(quote(dep.description)) -> \(quote(step.id.description));\n"
            }
        }
        return out + "}\n"
    }

    /// Mermaid flowchart, for Markdown that renders it.
    public static func mermaid(_ plan: Plan) -> String {
        var out = "flowchart LR\n"
        let index = plan.index()
        for (i, step) in plan.steps.enumerated() {
            let label = "\(step.id)<br/>\(step.kind.rawValue)".replacingOccurrences(of: "\"", with: "#quot;")
            out += step.kind == .derive ? "  s\(i)(\"\(label)\")\n" : "  s\(i)[\"\(label)\"]\n"
        }
        for (i, step) in plan.steps.enumerated() {
            for dep in step.dependencies { if let j = index[dep] { out += "  s\(j) --> s\(i)\n" } }
        }
        return out
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
