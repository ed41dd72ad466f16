import Foundation
import KilnCore
import KilnManifest

extension PlanBuilder {
    /// Renders a step's output paths (one per image when n > 1: `-1`, `-2`… before the extension
    /// unless the template uses `{{index}}`), refusing paths that leave the output directory and
    /// two steps writing one file.
    /// - Parameter shown: how messages name the paths (`DefinitionContext.outputShownAs`).
    mutating func outputs(for instance: Instance, template: Template?, shownAs shown: String?, id: StepID,
                          values: TemplateScope, count: Int) -> [StepOutput]? {
        guard let output = instance.definition.output else { return [] }
        guard let template else { return nil }
        var result = [StepOutput]()
        for index in 0..<count {
            var scope = values
            scope.index = String(index + 1)
            var path = template.render { scope[$0] }
            if count > 1 && !template.variables.contains("index") {
                let ext = (path as NSString).pathExtension
                let stem = ext.isEmpty ? path : String(path.dropLast(ext.count + 1))
                path = "\(stem)-\(index + 1)" + (ext.isEmpty ? "" : ".\(ext)")
            }
            guard let clean = claim(path, at: output.location, shownAs: shown, id: id) else { return nil }
            result.append(StepOutput(path: clean, owner: id, index: index))
        }
        return result
    }

    /// Checks a rendered output path (`checkedOutputPath`) and records `id` as the step writing it,
    /// refusing a path another step writes and warning about two that differ only in case.
    /// Returns the clean path, or nil after reporting why not.
    mutating func claim(_ path: String, at location: SourceLocation, shownAs shown: String?, id: StepID) -> String? {
        guard let clean = checkedOutputPath(path, at: location, shownAs: shown) else { return nil }
        if let (owner, ownerLocation) = outputOwners[clean], owner != id {
            let other = ownerLocation.map { " (\($0))" } ?? ""
            diagnostics.append(.error("two steps write '\(shown ?? clean)': \(owner)\(other) and \(id); give one a different output",
                                      at: location))
            return nil
        }
        if outputOwners[clean] == nil {
            let lower = clean.lowercased()
            if let other = foldedOutputs[lower] {
                diagnostics.append(.warning("outputs '\(other)' and '\(shown ?? clean)' differ only in case: on a case-insensitive disk (macOS, Windows) one overwrites the other",
                                            at: location))
            } else {
                foldedOutputs[lower] = shown ?? clean
            }
        }
        outputOwners[clean] = (id, location)
        return clean
    }

    /// Whether a path has `//`, a `.`-component or a trailing `/` to fold (a byte scan: this runs
    /// once per output of every variant).
    static func needsFolding(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") && (previous == UInt8(ascii: "/") || previous == UInt8(ascii: ".")) { return true }
            if byte == UInt8(ascii: ".") && (previous == UInt8(ascii: "/") || previous == 0 || previous == UInt8(ascii: ".")) { return true }
            previous = byte
        }
        return previous == UInt8(ascii: "/") || previous == UInt8(ascii: ".")
    }

    /// A relative path that stays inside the output directory, also through symlinks already there.
    /// - Parameter shownAs: how messages name the path (its template, when it was rendered from
    ///   the environment); nil: the path itself.
    mutating func checkedOutputPath(_ path: String, at location: SourceLocation, shownAs: String? = nil) -> String? {
        let escape = "output paths are relative to outputs/ and must stay inside it"
        let shown = shownAs ?? path
        if path.hasPrefix("/") || path.hasPrefix("~") {
            diagnostics.append(.error("output '\(shown)' is absolute: \(escape)", at: location))
            return nil
        }
        if let problem = PathRules.characterProblem(path) {
            diagnostics.append(.error("output '\(shownAs ?? PathRules.visible(path))' \(problem)", at: location))
            return nil
        }
        let clean: String
        if !Self.needsFolding(path) {
            clean = path   // the common case: nothing to fold
        } else {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
            if parts.contains("..") {
                diagnostics.append(.error("output '\(shown)' contains '..': \(escape)", at: location))
                return nil
            }
            if parts.isEmpty {
                diagnostics.append(.error("output path is empty", at: location))
                return nil
            }
            clean = parts.joined(separator: "/")
        }
        if let problem = ReservedOutputs.problem(clean) {
            diagnostics.append(.error("output '\(shownAs ?? clean)' \(problem): choose another path", at: location))
            return nil
        }
        if let problem = PathRules.lengthProblem(clean, under: options.outputDirectory) {
            diagnostics.append(.error("output '\(shownAs ?? clean)': \(problem)", at: location))
            return nil
        }
        if let root = options.outputDirectory, let target = symlinkEscape(clean, root: root) {
            diagnostics.append(.error("output '\(shownAs ?? clean)' would be written through a symlink to \(target), outside the output directory",
                                      at: location))
            return nil
        }
        return clean
    }

    /// Where a symlink on the path points when that is outside `root`; nil when the path is safe.
    /// Directories already found safe are remembered, so each is looked at once per plan.
    mutating func symlinkEscape(_ relative: String, root: String) -> String? {
        // The outputs of a matrix share a few folders: one lookup instead of a walk (and an lstat
        // of a folder that is not there yet) per output. Planning creates no folder meanwhile.
        guard let slash = relative.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let folder = relative[..<slash]
        if safeOutputFolders.contains(folder) { return nil }
        var current = root
        var components = relative.split(separator: "/")
        components.removeLast()   // the file itself is replaced by rename, never followed
        for part in components {
            current += "/" + part
            if safeDirectories.contains(current) { continue }
            var info = stat()
            guard lstat(current, &info) == 0 else {   // does not exist yet: created as a real folder
                safeOutputFolders.insert(folder)
                return nil
            }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                let resolved = URL(fileURLWithPath: current).resolvingSymlinksInPath().path
                let rootURL = URL(fileURLWithPath: root).resolvingSymlinksInPath()
                if !(resolved == rootURL.path || resolved.hasPrefix(rootURL.path + "/")) { return resolved }
            }
            safeDirectories.insert(current)
        }
        safeOutputFolders.insert(folder)
        return nil
    }
}
