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
    /// error saying so) rather than recursed into. Default 512, the parser's default.
    public var maxInstanceDepth: Int = 512

    /// The longest string, in UTF-16 code units, that `pattern` and `patternProperties` run a
    /// regular expression on. A longer string fails the pattern (fail closed) with an error saying
    /// so: it bounds the time a catastrophically backtracking pattern can take. Default 10,000.
    public var maxPatternInputLength: Int = 10_000

    /// The deepest chain of nested subschema evaluations (through `$ref` and applicators) before
    /// validation gives up with an error; stops schemas that recurse without consuming the
    /// instance (`{"$ref": "#"}`). Default 1,000.
    public var maxEvaluationDepth: Int = 1_000

    /// The most subschema evaluations one validation may take; beyond it the instance is invalid
    /// with an error saying so. Bounds the time of schemas whose branches multiply
    /// (`{"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}`). Default 1,000,000.
    public var maxEvaluationSteps: Int = 1_000_000

    /// The call stack, in bytes, one validation may use before it gives up with an error (invalid),
    /// whichever of this and `maxEvaluationDepth` comes first. Keeps deep recursion safe on
    /// threads with small stacks. Default 256 KiB (in a release build about ten times the nesting a debug build allows).
    public var maxStackBytes: Int = StackGuard.defaultBudget

    public init() {}
}
