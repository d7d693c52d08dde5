/// A schema compiled once for validating many instances.
///
/// Compilation resolves every `$ref` and `$dynamicRef` candidate, regular expression and keyword
/// value up front; validation does no parsing and no reference lookups. Instances are immutable
/// and safe to share across threads.
public final class CompiledSchema: Sendable {
    let program: SchemaProgram
    let options: SchemaOptions

    /// Compiles `schema` (an object or a Boolean). References resolve against `registry` only;
    /// invalid keyword values and unresolvable references fail here with the schema location.
    public init(
        _ schema: JSONValue, registry: SchemaRegistry = SchemaRegistry(), options: SchemaOptions = SchemaOptions()
    ) throws(SchemaCompileError) {
        switch schema {
        case .object, .bool: break
        default:
            throw SchemaCompileError(
                schemaLocation: "", message: "a schema must be an object or a boolean, got \(schema.typeName)")
        }
        self.program = try SchemaCompiler.compile(schema, registry: registry, options: options)
        self.options = options
    }

    /// Validates `instance`, collecting every error or only the first.
    public func validate(_ instance: JSONValue, reporting: ErrorReporting = .all) -> ValidationResult {
        var evaluator = SchemaEvaluator(
            program: program, options: options, mode: reporting == .all ? .allErrors : .firstError)
        let valid = evaluator.validate(program.root, instance, collect: false)
        return ValidationResult(isValid: valid, errors: evaluator.errors)
    }

    /// Whether `instance` is valid; builds no error messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(program: program, options: options, mode: .verdict)
        return evaluator.validate(program.root, instance, collect: false)
    }
}
