// Validate + plan a manifest of 10,000 variants (100 × 100 matrix), each a generate step and a
// derived thumbnail: 20,000 planned steps. Target (issue 2): ≤ 200 ms on the 2-core dev machine.
//
//   swift build -c release --product kiln-bench-plan && .build/release/kiln-bench-plan [runs]
import Foundation
import KilnCore
import KilnManifest
import KilnPlanner

let runs = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 7
let axis = (1...100).map { "v\($0)" }.joined(separator: ", ")
let yaml = """
version: 1
defaults: { model: gpt-image-1.5, quality: low }
vars: { style: "flat vector, thick outline" }
assets:
  grid:
    preset: sticker
    matrix:
      a: [\(axis)]
      b: [\(axis)]
    prompt:
      - "sticker of item {{a}} in colourway {{b}}"
      - "{{style}}, centered"
    output: grid/{{a}}/{{b}}.png
    derive:
      - { name: thumb, resize: 128, format: webp, quality: 80, output: "grid/{{a}}/thumbs/{{b}}.webp" }
"""
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bench-plan-\(getpid())")
try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
let file = dir.appendingPathComponent("grid.yaml")
try Data(yaml.utf8).write(to: file)
defer { try? FileManager.default.removeItem(at: dir) }

var times = [Double]()
var loadTimes = [Double]()
var steps = 0
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    let loaded = ManifestLoader.load(fileAt: file, displayPath: "grid.yaml")
    guard let manifest = loaded.manifest, !loaded.diagnostics.hasErrors else {
        FileHandle.standardError.write(Data("invalid bench manifest:\n\(loaded.diagnostics)\n".utf8))
        exit(1)
    }
    loadTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    let plan = try Planner.plan([manifest], options: PlannerOptions(defaultProvider: "openai"))
    steps = plan.steps.count
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
}
times.sort()
let median = times[times.count / 2]
print(String(format: "validate+plan 10,000 variants (%d steps): median %.1f ms, min %.1f ms, max %.1f ms over %d runs",
             steps, median, times.first!, times.last!, runs))
loadTimes.sort()
print(String(format: "  of which load + validate: median %.1f ms", loadTimes[loadTimes.count / 2]))
print(median <= 200 ? "target ≤ 200 ms: met" : "target ≤ 200 ms: NOT met")
