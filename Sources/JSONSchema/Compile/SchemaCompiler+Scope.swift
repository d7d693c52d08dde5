extension SchemaCompiler {
    /// A subschema's place: a document and a JSON Pointer (canonically escaped) into it.
    struct Place: Hashable {
        var document: Int
        var pointer: String
    }

    /// Which keywords a schema's meta-schema turns on.
    struct Dialect {
        var draft: SchemaDraft
        var validation = true
        var formatAssertion = false
    }

    /// The base URI and dialect in force at a subschema.
    struct Scope {
        var base: URIReference
        var dialect: Dialect
    }
}
