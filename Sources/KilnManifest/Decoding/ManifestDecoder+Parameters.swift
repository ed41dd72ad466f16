import KilnCore
import Yams

extension ManifestDecoder {
    /// A mapping of parameter keys only (`defaults`, a preset).
    func parameters(_ node: Node, in context: String) -> ParameterSet {
        let isCandidates = { (name: String) in name == "candidates" }
        guard let entries = entries(node, ManifestKeys.parameters, in: context, isExtra: isCandidates) else { return ParameterSet() }
        var set = ParameterSet()
        for entry in entries {
            if isCandidates(entry.name) { misplaced(entry, .parameters) } else { apply(entry, to: &set) }
        }
        return set
    }

    /// Sets one parameter key on `set`; returns false when `entry` is not a parameter key.
    @discardableResult
    func apply(_ entry: Entry, to set: inout ParameterSet) -> Bool {
        guard let spec = ManifestKeys.parameters[entry.name] else { return false }
        var ok = true
        switch entry.name {
        case "provider": set.provider = choice(entry, spec.type)
        case "model": set.model = string(entry)?.value
        case "size":
            if case .scalar = entry.value, entry.value.tagName != .null {
                let text = entry.value.string ?? ""
                if let size = SizeSpec(text) { set.size = size } else {
                    error("'size' must be WIDTHxHEIGHT like 1024x1024, or auto, not '\(text)'", at: location(entry.value))
                    ok = false
                }
            } else {
                typeError(entry, spec.type)
                ok = false
            }
        case "quality": set.quality = choice(entry, spec.type).flatMap(RenderQuality.init(rawValue:))
        case "background": set.background = choice(entry, spec.type).flatMap(BackgroundMode.init(rawValue:))
        case "format": set.format = choice(entry, spec.type).flatMap { ImageFormat(pathExtension: $0) }
        case "compression": set.compression = integer(entry, spec.type)
        case "moderation": set.moderation = choice(entry, spec.type).flatMap(Moderation.init(rawValue:))
        case "n": set.n = integer(entry, spec.type)
        case "input_fidelity": set.inputFidelity = choice(entry, spec.type).flatMap(InputFidelity.init(rawValue:))
        case "user": set.user = string(entry)?.value
        case "salt": set.salt = string(entry)?.value
        case "mode": set.mode = choice(entry, spec.type).flatMap(RequestMode.init(rawValue:))
        default: ok = false
        }
        if ok { set.locations[entry.name] = entry.location }
        return true
    }

    /// - Parameter templates: collects header values and base URLs that read `{{env.NAME}}`, for the validator.
    func provider(_ item: Entry, templates: inout [Located<String>]) -> ProviderSettings? {
        let table = ManifestKeys.provider
        if !ProviderNames.all.contains(item.name) {
            var message = "settings for provider '\(item.name)', which does not exist (providers: \(ProviderNames.all.joined(separator: ", ")))"
            if let best = Suggestions.closest(to: item.name, in: ProviderNames.all) { message += " (did you mean '\(best)'?)" }
            warning(message + "; a compatible service is reached with 'providers.openai.base_url'", at: item.location)
        }
        guard let entries = entries(item.value, table, in: "provider '\(item.name)'") else { return nil }
        var settings = ProviderSettings()
        for entry in entries {
            let type = table[entry.name]!.type
            switch entry.name {
            case "max_in_flight": settings.maxInFlight = integer(entry, type)
            case "requests_per_minute": settings.requestsPerMinute = integer(entry, type)
            case "base_url":
                if let text = entry.value.string, text.contains("{{"), let template = self.text(entry.value) {
                    templates.append(template)   // checked once rendered, by the planner
                    settings.baseURL = text
                } else {
                    settings.baseURL = baseURL(entry)
                }
            case "retries": settings.retries = integer(entry, type)
            case "timeout": settings.timeoutSeconds = number(entry, type)
            case "step_timeout": settings.stepTimeoutSeconds = number(entry, type)
            case "headers":
                for header in namedEntries(entry) {
                    let lower = header.name.lowercased()
                    guard checkHeader(header) else { continue }
                    if lower == "authorization" || Credentials.marker(in: header.name) != nil {
                        error("header '\(header.name)' may not be set here: the API key comes only from OPENAI_API_KEY",
                              at: header.location)
                        continue
                    }
                    if let value = string(header) {
                        settings.headers[header.name] = value.value
                        if value.value.contains("{{"), let template = text(header.value) { templates.append(template) }
                    }
                }
            default: break
            }
        }
        return settings
    }

    func price(_ item: Entry) -> ModelPrice? {
        let table = ManifestKeys.price
        guard let entries = entries(item.value, table, in: "prices of '\(item.name)'") else { return nil }
        var values = [String: Double]()
        for entry in entries {
            guard let value = number(entry, table[entry.name]!.type) else { continue }
            values[entry.name] = value
        }
        return ModelPrice(textInput: values["text_input"] ?? 0, imageInput: values["image_input"] ?? 0,
                          imageOutput: values["image_output"] ?? 0)
    }
}
