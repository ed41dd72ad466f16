import Foundation
import KilnCore
import Yams

/// Reads, parses and validates manifest files, reporting every problem at once.
public enum ManifestLoader {
    /// Reads, parses and validates one file. `displayPath` is how diagnostics name it
    /// (e.g. "pipelines/stickers.yaml"); input files resolve against the file's directory.
    public static func load(fileAt url: URL, displayPath: String) -> ManifestLoadResult {
        do {
            let text = try ManifestText.decode(ManifestFile.read(url, displayPath: displayPath), file: displayPath)
            return load(text: text, displayPath: displayPath, directory: url.deletingLastPathComponent().path)
        } catch {
            return ManifestLoadResult(manifest: nil, diagnostics: finish(error.diagnostics))
        }
    }

    /// Parses and validates manifest `text`. `directory` resolves input files; the pipeline name is
    /// the file name of `displayPath` without its extension.
    public static func load(text: String, displayPath: String, directory: String) -> ManifestLoadResult {
        let pipeline = ((displayPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let decoder = ManifestDecoder(file: displayPath, text: text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return ManifestLoadResult(manifest: nil, diagnostics: [syntaxDiagnostic(error, file: displayPath)])
        }
        guard let manifest = decoder.decodeManifest(root, path: displayPath, directory: directory, pipeline: pipeline) else {
            return ManifestLoadResult(manifest: nil, diagnostics: finish(decoder.diagnostics))
        }
        var validator = ManifestValidator(manifest: manifest, textColumns: decoder.textColumns,
                                          displayDirectory: displayDirectory(of: displayPath))
        validator.run()
        return ManifestLoadResult(manifest: manifest, diagnostics: finish(decoder.diagnostics + validator.diagnostics))
    }

    /// `pipelines/` for `pipelines/x.yaml`; `./` for a bare file name.
    static func displayDirectory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "./" : directory + "/"
    }

    /// Sorted by source, each diagnostic once (a default shared by many steps is reported once).
    static func finish(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }.sortedBySource()
    }

    static func syntaxDiagnostic(_ error: any Error, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        guard let yaml = error as? YamlError else {
            return .error("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { " (\($0.text))" } ?? ""
            return .error("invalid YAML: \(problem)\(detail)", at: at(mark))
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return .error("duplicate key \(names) in one mapping", at: at(context.mark))
        case let .reader(problem, _, _, _):
            return .error("invalid YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return .error("invalid YAML: \(yaml)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
