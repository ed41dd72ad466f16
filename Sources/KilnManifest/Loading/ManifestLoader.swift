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
            root = try compose(text, file: displayPath)
        } catch {
            return ManifestLoadResult(manifest: nil, diagnostics: finish(error.diagnostics))
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

    /// The document's node tree. Control characters are placed first (libyaml gives only a byte
    /// offset), then `YAMLStructureCheck` reports syntax, duplicate-key and alias problems in plain
    /// words where they are written; Yams then composes text that is known to be good.
    static func compose(_ text: String, file: String) throws(DiagnosticsError) -> Node? {
        let controls = ControlCharacters.find(in: text, file: file)
        guard controls.isEmpty else { throw DiagnosticsError(controls) }
        let problems = YAMLStructureCheck.check(text, file: file)
        guard problems.isEmpty else { throw DiagnosticsError(problems) }
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw DiagnosticsError([unexpected(error, file: file)])
        }
    }

    /// What Yams refused after the structure check passed (not expected to happen): its position,
    /// without Yams' internal wording or a dump of the source.
    static func unexpected(_ error: any Error, file: String) -> Diagnostic {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let yaml = error as? YamlError else { return .error("this is not valid YAML", at: start) }
        switch yaml {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .error("YAML syntax error: \(problem)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case let .duplicatedKeysInMapping(_, context):
            // Scalar keys are checked before composing; what is left are keys that are lists or mappings.
            let mark = context.mark
            return .error("duplicate key: two keys of this mapping are the same list or mapping (keys must be names)",
                          at: SourceLocation(file: file, line: mark.line, column: mark.column))
        default:
            return .error("this is not valid YAML", at: start)
        }
    }
}
