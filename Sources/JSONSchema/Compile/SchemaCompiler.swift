import JSON

/// Turns a schema (and the registry documents it references) into a ``SchemaProgram``.
///
/// Two phases: indexing walks every schema document reached, recording each subschema's base URI
/// and dialect, and every `$id`, `$anchor` and `$dynamicAnchor`; compiling then turns the
/// subschemas that validation can reach into nodes, resolving each reference to a node index.
struct SchemaCompiler {
    /// Base URI of a root schema without `$id`.
    static let defaultRootURI = "urn:agent-sandbox:schema"

    static let vocabularyPrefix = "https://json-schema.org/draft/2020-12/vocab/"
    static let knownVocabularies: Set<String> = [
        "core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "format-assertion",
        "content",
    ]

    let registry: SchemaRegistry
    let options: SchemaOptions
    var program = SchemaProgram()
    var documents: [(value: JSONValue, uri: String)] = []
    var loadedURIs: Set<String> = []
    var scopes: [Place: Scope] = [:]
    var resources: [String: Place] = [:]
    var anchors: [String: Place] = [:]
    var dynamicAnchors: [String: [String: Place]] = [:]
    var nodeByPlace: [Place: Int] = [:]
    var pending: [(place: Place, node: Int)] = []
    var resourceIDs: [String: Int] = [:]
    var resourceURIs: [String] = []

    init(registry: SchemaRegistry, options: SchemaOptions) {
        self.registry = registry
        self.options = options
    }

    static func compile(
        _ schema: JSONValue, registry: SchemaRegistry, options: SchemaOptions
    ) throws(SchemaCompileError) -> SchemaProgram {
        var compiler = SchemaCompiler(registry: registry, options: options)
        let place = try compiler.load(schema, uri: defaultRootURI, fallback: Dialect(draft: options.defaultDraft))
        compiler.program.root = compiler.node(at: place)
        try compiler.drain()
        return compiler.program
    }

    // MARK: errors and locations

    func location(_ place: Place, _ suffix: String = "") -> String {
        let prefix = place.document == 0 ? "" : documents[place.document].uri + "#"
        return prefix + place.pointer + suffix
    }

    func error(_ place: Place, _ keyword: String?, _ message: String) -> SchemaCompileError {
        SchemaCompileError(
            schemaLocation: location(place, keyword.map { "/" + JSONPointer.escape($0) } ?? ""), message: message)
    }

    mutating func locationIndex(_ place: Place, _ keyword: String? = nil) -> Int {
        program.locations.append(location(place, keyword.map { "/" + JSONPointer.escape($0) } ?? ""))
        return program.locations.count - 1
    }
}
