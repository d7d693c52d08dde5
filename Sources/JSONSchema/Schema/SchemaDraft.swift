/// The JSON Schema dialect a schema is read in, chosen by its `$schema` keyword.
public enum SchemaDraft: String, Sendable, CaseIterable {
    case draft2020_12 = "2020-12"
    case draft7 = "7"

    /// The meta-schema URI that selects this draft in `$schema`.
    public var metaschemaURI: String {
        switch self {
        case .draft2020_12: return "https://json-schema.org/draft/2020-12/schema"
        case .draft7: return "http://json-schema.org/draft-07/schema"
        }
    }
}
