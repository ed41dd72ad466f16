import KilnCore

/// `env:` and `env_not_secret:`: templates may read the environment, but never a credential.
extension ManifestValidator {
    /// Why a template may not read `name`, or nil when it may.
    func credentialRefusal(_ name: String) -> String? {
        guard let marker = Credentials.marker(in: name) else { return nil }
        if Credentials.keyVariables.contains(name.uppercased()) {
            return "\(name) holds a key Kiln reads itself and is never readable by a template"
        }
        if manifest.envNotSecret.contains(where: { $0.value == name }) { return nil }
        return "\(name) looks like a credential (its name contains \(marker)), and what a template renders reaches requests, kiln.lock, outputs/manifest.json and file names; if its value is not secret, list it under 'env_not_secret:'"
    }

    /// Declared names that are credentials, opt-ins that cannot apply, and declared names no template reads.
    mutating func checkEnvironment() {
        let declared = Set(manifest.env.map(\.value))
        for name in manifest.env {
            if let refusal = credentialRefusal(name.value) {
                error("environment variable \(name.value) may not be read by templates: \(refusal)", at: name.location)
            } else if !usedEnvironment.contains(name.value), Template.isValidName(name.value) {
                diagnostics.append(.warning("environment variable \(name.value) is declared under 'env:' but no template reads it as {{env.\(name.value)}}",
                                            at: name.location))
            }
        }
        for name in manifest.envNotSecret {
            if Credentials.keyVariables.contains(name.value.uppercased()) {
                error("\(name.value) cannot be listed under 'env_not_secret:': it holds a key Kiln reads itself", at: name.location)
            } else if !declared.contains(name.value) {
                diagnostics.append(.warning("'\(name.value)' is listed under 'env_not_secret:' but not under 'env:'", at: name.location))
            } else if Credentials.marker(in: name.value) == nil {
                diagnostics.append(.warning("'\(name.value)' does not look like a credential: it needs no 'env_not_secret:' entry",
                                            at: name.location))
            }
        }
    }
}
