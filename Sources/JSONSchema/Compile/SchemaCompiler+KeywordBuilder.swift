import JSON

extension SchemaCompiler {
    /// The keywords of one schema object being compiled.
    struct KeywordBuilder {
        let place: Place
        let members: JSONObject
        let scope: Scope
        var keywords: [Keyword] = []
        var needsAnnotations = false
    }
}
