import KilnCore
import Yams

extension ManifestDecoder {
    /// Decodes the root node. Returns nil only when the root is not a mapping.
    func decodeManifest(_ root: Node?, path: String, directory: String, pipeline: String) -> PipelineManifest? {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let root, !(root.tagName == .null) else {
            error("empty manifest: add an 'assets:' mapping", at: start)
            return PipelineManifest(path: path, directory: directory, pipeline: pipeline, version: 1, location: start)
        }
        guard let entries = entries(root, ManifestKeys.top, in: "the manifest", what: "a manifest",
                                    checkRequired: false) else { return nil }
        var manifest = PipelineManifest(path: path, directory: directory, pipeline: pipeline, version: 0, location: location(root))
        for entry in entries {
            switch entry.name {
            case "version":
                if let version = integer(entry, .integer(min: nil, max: nil)) {
                    if version == 1 { manifest.version = 1 } else {
                        error("unsupported version \(version): this Kiln reads version 1", at: location(entry.value))
                    }
                }
            case "description": manifest.description = string(entry)?.value
            case "defaults": manifest.defaults = parameters(entry.value, in: "'defaults'")
            case "vars": manifest.vars = variables(entry)
            case "env": manifest.env = environment(entry)
            case "env_not_secret": manifest.envNotSecret = environment(entry)
            case "presets":
                for item in namedEntries(entry) {
                    manifest.presets[item.name] = Preset(name: item.name, parameters: parameters(item.value, in: "preset '\(item.name)'"),
                                                         location: item.location)
                }
            case "providers":
                for item in namedEntries(entry) {
                    manifest.providers[item.name] = provider(item, templates: &manifest.connectionTemplates)
                }
            case "prices":
                for item in namedEntries(entry) { manifest.prices[item.name] = price(item) }
            case "cache":
                manifest.cache = cacheSettings(entry)
            case "assets":
                manifest.assets = namedEntries(entry).compactMap(asset)
            default: break
            }
        }
        if !entries.contains(where: { $0.name == "version" }) {
            error("missing 'version: 1' (the manifest language version)", at: manifest.location)
        }
        if manifest.assets.isEmpty, !diagnostics.hasErrors || !entries.contains(where: { $0.name == "assets" }) {
            error("empty manifest: add an 'assets:' mapping", at: manifest.location)
        }
        return manifest
    }

    /// `cache:`; a `remote:` that is not a location Kiln can use is reported at its value.
    func cacheSettings(_ entry: Entry) -> CacheSettings? {
        guard let entries = entries(entry.value, ManifestKeys.cache, in: "'cache'") else { return nil }
        var settings = CacheSettings(location: entry.location)
        for item in entries {
            switch item.name {
            case "remote":
                guard let text = string(item) else { continue }
                do {
                    _ = try RemoteCacheLocation(parsing: text.value)
                    settings.remote = text
                } catch {
                    self.error(error.description, at: text.location)
                }
            case "read_only": settings.readOnly = bool(item)
            case "required": settings.required = bool(item)
            default: break
            }
        }
        return settings
    }

    func variables(_ entry: Entry) -> [Variable] {
        namedEntries(entry).compactMap { item in
            guard case let .scalar(scalar) = item.value, item.value.tagName != .null else {
                error("var '\(item.name)' must be a string or a number, not \(kind(item.value))", at: location(item.value))
                return nil
            }
            if !Template.isValidName(item.name) || item.name.hasPrefix("env.") {
                error("'\(item.name)' is not a valid var name (letters, digits, '_' and '-')", at: item.location)
            }
            return Variable(name: Located(item.name, at: item.location), value: Located(scalar.string, at: location(item.value)))
        }
    }

    func environment(_ entry: Entry) -> [Located<String>] {
        guard let names = stringList(entry) else { return [] }
        for name in names where !Template.isValidName(name.value) {
            error("'\(name.value)' is not a valid environment variable name", at: name.location)
        }
        return names
    }
}
