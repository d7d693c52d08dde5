import JSON
import JSONSchema

/// A compiled `tools.schemas` entry: the tool pattern and its compiled JSON Schema.
final class CompiledSchemaEntry: Sendable {
    let pattern: GlobPattern
    let schema: CompiledSchema
    /// `tools.schemas[0]`, for decisions and traces.
    let ruleID: String

    init(pattern: GlobPattern, schema: CompiledSchema, ruleID: String) {
        self.pattern = pattern
        self.schema = schema
        self.ruleID = ruleID
    }

    /// Compiles every entry, resolving file references with `resolve`; an entry whose schema
    /// cannot be loaded or compiled is reported in `diagnostics` and left out.
    static func list(
        _ entries: [PolicyDocument.SchemaEntry], _ resolve: (String) throws -> JSONValue,
        _ diagnostics: inout [PolicyDiagnostic]
    ) -> [CompiledSchemaEntry] {
        var compiled: [CompiledSchemaEntry] = []
        for (index, entry) in entries.enumerated() {
            do {
                let value: JSONValue
                switch entry.source {
                case .inline(let inline): value = inline
                case .reference(let path): value = try resolve(path)
                }
                compiled.append(
                    CompiledSchemaEntry(
                        pattern: GlobPattern(entry.tool.text), schema: try CompiledSchema(value),
                        ruleID: "tools.schemas[\(index)]"))
            } catch {
                diagnostics.append(
                    PolicyDiagnostic(.error, at: entry.tool.location, "schema of `\(entry.tool.text)`: \(error)"))
            }
        }
        return compiled
    }
}
