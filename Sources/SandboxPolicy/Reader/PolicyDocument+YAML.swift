import JSON
import JSONSchema

extension PolicyDocument {
    /// Reads a policy from YAML text. Throws ``PolicyError`` with every error found (unknown keys
    /// with a did-you-mean, wrong types, bad values), each with its line and column.
    public init(yaml text: String) throws(PolicyError) {
        let root = try YAMLDocument.parse(text)
        var reader = PolicyReader(lines: text.split(separator: "\n", omittingEmptySubsequences: false))
        let document = reader.read(root)
        if reader.diagnostics.contains(where: { $0.severity == .error }) { throw PolicyError(reader.diagnostics) }
        self = document
        self.warnings = reader.diagnostics
    }
}
