import KilnCore

/// One asset under `assets:`. The decoder desugars the shorthand forms (a top-level `prompt`,
/// `derive:` list and `sizes:`) into ordinary steps, so the planner only ever sees `steps`.
public struct Asset: Sendable, Hashable {
    public var name: Located<String>
    public var description: String?
    public var preset: Located<String>?
    /// `vars:` of this asset, overriding manifest vars of the same name.
    public var vars: [Variable]
    public var matrix: Matrix?
    /// Asset-level parameters, inherited by its generate and edit steps.
    public var parameters: ParameterSet
    /// Steps in file order (shorthand: `main`, then `derive`/`derive-N`, then `sizes` for `sizes:`).
    public var steps: [StepDefinition]
    /// The step `@asset` refers to: `final:` if written, else the last non-derive step, else the last step.
    public var finalStep: Located<String>?

    public init(name: Located<String>, description: String? = nil, preset: Located<String>? = nil,
                vars: [Variable] = [], matrix: Matrix? = nil, parameters: ParameterSet = ParameterSet(),
                steps: [StepDefinition] = [], finalStep: Located<String>? = nil) {
        self.name = name
        self.description = description
        self.preset = preset
        self.vars = vars
        self.matrix = matrix
        self.parameters = parameters
        self.steps = steps
        self.finalStep = finalStep
    }

    public func step(named name: String) -> StepDefinition? {
        steps.first { $0.name.value == name }
    }

    /// The name of the step `@asset` resolves to.
    public var finalStepName: String? {
        if let finalStep { return finalStep.value }
        return (steps.last { $0.kind != .derive } ?? steps.last)?.name.value
    }
}

/// `matrix:` — axes whose cartesian product, minus `exclude`, plus `include`, are the variants.
public struct Matrix: Sendable, Hashable {
    public struct Axis: Sendable, Hashable {
        public var name: Located<String>
        public var values: [Located<String>]

        public init(name: Located<String>, values: [Located<String>]) {
            self.name = name
            self.values = values
        }
    }

    /// One `exclude:` or `include:` entry: axis name → value.
    public struct Combination: Sendable, Hashable {
        public var values: [String: Located<String>]
        public var location: SourceLocation

        public init(values: [String: Located<String>], location: SourceLocation) {
            self.values = values
            self.location = location
        }
    }

    /// In file order; variant ids join values in this order.
    public var axes: [Axis]
    public var exclude: [Combination]
    public var include: [Combination]
    public var location: SourceLocation

    public init(axes: [Axis], exclude: [Combination] = [], include: [Combination] = [], location: SourceLocation) {
        self.axes = axes
        self.exclude = exclude
        self.include = include
        self.location = location
    }
}
