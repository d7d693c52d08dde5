import JSON

/// Schema documents that `$ref` (and `$schema`) may point to, by absolute URI.
///
/// The registry never fetches anything: a reference resolves only to a document registered
/// here, to a resource embedded (by `$id`) in one, or to a bundled meta-schema.
public struct SchemaRegistry: Sendable {
    /// Documents by absolute URI without fragment.
    var documents: [String: JSONValue] = [:]

    /// A registry holding the official draft 2020-12 (and its vocabulary meta-schemas) and
    /// draft-07 meta-schemas when `includingMetaschemas` is true.
    public init(includingMetaschemas: Bool = true) {
        if includingMetaschemas { documents = SchemaRegistry.metaschemas }
    }

    /// The bundled meta-schemas, parsed once per process (a `static let` is initialised lazily
    /// and thread-safely).
    private static let metaschemas: [String: JSONValue] = {
        var parsed: [String: JSONValue] = [:]
        for (uri, text) in BundledMetaschemas.all {
            // The bundled texts are fixed at build time and checked by the tests.
            parsed[uri] = try! JSONValue(parsing: text)
        }
        return parsed
    }()

    /// Registers `schema` under the absolute `uri` (an empty fragment is ignored). A later
    /// registration under the same URI replaces the earlier one.
    public mutating func register(_ schema: JSONValue, uri: String) throws(SchemaCompileError) {
        switch schema {
        case .object, .bool: break
        default:
            throw SchemaCompileError(
                schemaLocation: uri, message: "a schema must be an object or a boolean, got \(schema.typeName)")
        }
        guard let parsed = URIReference(uri), parsed.scheme != nil else {
            throw SchemaCompileError(schemaLocation: uri, message: "registry URI must be absolute (with a scheme)")
        }
        if let fragment = parsed.fragment, !fragment.isEmpty {
            throw SchemaCompileError(schemaLocation: uri, message: "registry URI must not have a fragment")
        }
        documents[parsed.withoutFragment] = schema
    }

    /// The registered document at `uri` (absolute, without fragment), if any.
    public func document(at uri: String) -> JSONValue? {
        documents[URIReference(uri)?.withoutFragment ?? uri]
    }
}
