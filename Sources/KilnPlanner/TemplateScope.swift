/// The names a step's templates can read: the variant's values (shared by every step of the
/// variant, never copied) and the few built-ins that differ per step or per output.
struct TemplateScope {
    var base: [String: String]
    var step: String
    var size: String?
    var ext: String?
    var index: String?

    subscript(name: String) -> String? {
        switch name {
        case "step": step
        case "size": size
        case "ext": ext
        case "index": index
        default: base[name]
        }
    }
}
