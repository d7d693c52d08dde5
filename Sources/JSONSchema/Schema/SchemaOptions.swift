import JSON

/// How schemas are compiled and instances validated.
public struct SchemaOptions: Sendable {
    /// The draft for schemas without `$schema`.
    public var defaultDraft: SchemaDraft = .draft2020_12

    /// When true, `format` is an assertion for the formats this module knows (`email`, `uri`,
    /// `uri-reference`, `date-time`, `date`, `time`, `ipv4`, `ipv6`, `hostname`, `uuid`, `regex`,
    /// and a few more); unknown formats are always ignored. When false (the default) `format`
    /// is only an annotation, as the 2020-12 specification says.
    public var assertFormats: Bool = false

    /// The deepest instance nesting that is validated; a deeper instance is invalid (with an
    /// error saying so) rather than recursed into. Default 64. Every nested level the schema
    /// looks into also takes at least one level of ``maxEvaluationDepth``.
    public var maxInstanceDepth: Int = 64

    /// The longest string, in UTF-16 code units, that `pattern` and `patternProperties` run a
    /// regular expression on. A longer string fails the pattern (fail closed) with an error saying
    /// so. Default 10,000. (Backtracking in patterns that ICU runs is bounded separately, by a
    /// step budget per validation: see `ECMARegex.maximumICUProgressReports`.)
    public var maxPatternInputLength: Int = 10_000

    /// The deepest chain of nested subschema evaluations (through `$ref` and applicators) before
    /// validation gives up with an error; stops schemas that recurse without consuming the
    /// instance (`{"$ref": "#"}`) and instances nested too deep for a recursive schema
    /// (`{"items": {"$ref": "#"}}` takes two levels per array level). Default 64: the answer is
    /// the same in every build and on every thread, because 64 levels need at most about 350 KiB
    /// of stack in a debug build (about 5.5 KiB a level, measured over every applicator) and far
    /// less in a release build, within ``maxStackBytes`` and a 512 KiB thread stack. Raise it only
    /// on threads with stacks to match.
    public var maxEvaluationDepth: Int = 64

    /// The most subschema evaluations one validation may take; beyond it the instance is invalid
    /// with an error saying so. Bounds the time of schemas whose branches multiply
    /// (`{"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}`). Default 1,000,000.
    public var maxEvaluationSteps: Int = 1_000_000

    /// The call stack, in bytes, one validation may use before it gives up with an error (invalid).
    /// A last resort: with the default ``maxEvaluationDepth`` it is never reached, in any build.
    /// A caller that raises the depth limit beyond it gets this error instead of a crash, at a
    /// depth that depends on the build (a debug build uses several times the stack per level of a
    /// release build). Default 448 KiB.
    public var maxStackBytes: Int = StackGuard.defaultBudget

    public init() {}
}
