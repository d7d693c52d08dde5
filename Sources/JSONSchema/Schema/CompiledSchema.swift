import JSON

/// A schema compiled once for validating many instances.
///
/// Compilation resolves every `$ref` and `$dynamicRef` candidate, regular expression and keyword
/// value up front; validation does no parsing and no reference lookups. Instances are immutable
/// and safe to share across threads.
public final class CompiledSchema: Sendable {
    let program: ExecutableProgram
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
        self.program = ExecutableProgram(try SchemaCompiler.compile(schema, registry: registry, options: options))
        self.options = options
    }

    /// Validates `instance`, collecting every error or only the first.
    ///
    /// Errors come sorted by instance location, then schema location, so the report (and which
    /// error `.first` returns) does not depend on the order of object members in memory. A limit
    /// (``SchemaOptions``) that stopped validation is reported first; then members are visited
    /// in name order, so the same limit, at the same place, is reported in every process.
    public func validate(_ instance: JSONValue, reporting: ErrorReporting = .all) -> ValidationResult {
        if reporting == .first && isValid(instance) { return ValidationResult(isValid: true, errors: []) }
        var evaluator = SchemaEvaluator(program: program, options: options, mode: .allErrors)
        var valid = evaluator.validate(program.root, instance, collect: false)
        if evaluator.limitError != nil {
            // Where a limit is first hit (and so which errors come before it) depends on the order
            // object members are visited in (their document order): redo it in name order so that
            // the same members in any order report the same. Rare, so the cost does not matter.
            evaluator = SchemaEvaluator(program: program, options: options, mode: .allErrors)
            evaluator.sortsMembers = true
            valid = evaluator.validate(program.root, instance, collect: false)
        }
        var errors = evaluator.errors
        errors.sort {
            ($0.instanceLocation, $0.schemaLocation, $0.message) < ($1.instanceLocation, $1.schemaLocation, $1.message)
        }
        if let limit = evaluator.limitError {
            // A limit explains everything else that failed: report it first.
            valid = false
            errors.removeAll { $0 == limit }
            errors.insert(limit, at: 0)
        }
        if reporting == .first && errors.count > 1 { errors = [errors[0]] }
        return ValidationResult(isValid: valid, errors: errors)
    }

    /// Whether `instance` is valid; builds no error messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        var evaluator = SchemaEvaluator(program: program, options: options, mode: .verdict)
        let valid = evaluator.validate(program.root, instance, collect: false)
        return valid && evaluator.limitError == nil
    }
}
