import Foundation
import KilnCore
import KilnManifest

extension PlanBuilder {
    /// Renders a step's output paths (one per image when n > 1: `-1`, `-2`… before the extension
    /// unless the template uses `{{index}}`), refusing paths that leave the output directory and
    /// two steps writing one file.
    mutating func outputs(for instance: Instance, id: StepID, values: [String: String], count: Int) -> [StepOutput]? {
        guard let output = instance.definition.output else { return [] }
        guard let template = template(output.value) else { return nil }
        var result = [StepOutput]()
        for index in 0..<count {
            var v = values
            v["index"] = String(index + 1)
            var path = template.render(v)
            if count > 1 && !template.variables.contains("index") {
                let ext = (path as NSString).pathExtension
                let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
                path = "\(stem)-\(index + 1)" + (ext.isEmpty ? "" : ".\(ext)")
            }
            guard let clean = checkedOutputPath(path, at: output.location) else { return nil }
            if let (owner, location) = outputOwners[clean], owner != id {
                let other = location.map { " (\($0))" } ?? ""
                diagnostics.append(.error("two steps write '\(clean)': \(owner)\(other) and \(id); give one a different output",
                                          at: output.location))
                return nil
            }
            outputOwners[clean] = (id, output.location)
            result.append(StepOutput(path: clean, owner: id, index: index))
        }
        return result
    }

    /// A relative path that stays inside the output directory, also through symlinks already there.
    mutating func checkedOutputPath(_ path: String, at location: SourceLocation) -> String? {
        let escape = "output paths are relative to outputs/ and must stay inside it"
        if path.hasPrefix("/") || path.hasPrefix("~") {
            diagnostics.append(.error("output '\(path)' is absolute: \(escape)", at: location))
            return nil
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") {
            diagnostics.append(.error("output '\(path)' contains '..': \(escape)", at: location))
            return nil
        }
        if parts.isEmpty {
            diagnostics.append(.error("output path is empty", at: location))
            return nil
        }
        let clean = parts.joined(separator: "/")
        if let root = options.outputDirectory, let target = symlinkEscape(clean, root: root) {
            diagnostics.append(.error("output '\(clean)' would be written through a symlink to \(target), outside the output directory",
                                      at: location))
            return nil
        }
        return clean
    }

    /// Where a symlink on the path points when that is outside `root`; nil when the path is safe.
    func symlinkEscape(_ relative: String, root: String) -> String? {
        let fm = FileManager.default
        let rootURL = URL(fileURLWithPath: root).resolvingSymlinksInPath()
        var current = URL(fileURLWithPath: root)
        for part in relative.split(separator: "/") {
            current.appendPathComponent(String(part))
            guard let type = try? fm.attributesOfItem(atPath: current.path)[.type] as? FileAttributeType else { return nil }
            if type == .typeSymbolicLink {
                let resolved = current.resolvingSymlinksInPath().path
                if !(resolved == rootURL.path || resolved.hasPrefix(rootURL.path + "/")) { return resolved }
            }
        }
        return nil
    }
}
