import JSON

/// Turns a schema (and the registry documents it references) into a ``SchemaProgram``.
///
/// Two phases: indexing walks every schema document reached, recording each subschema's base URI
/// and dialect, and every `$id`, `$anchor` and `$dynamicAnchor`; compiling then turns the
/// subschemas that validation can reach into nodes, resolving each reference to a node index.
struct SchemaCompiler {
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

    /// Base URI of a root schema without `$id`.
    static let defaultRootURI = "urn:agent-sandbox:schema"

    private static let vocabularyPrefix = "https://json-schema.org/draft/2020-12/vocab/"
    private static let knownVocabularies: Set<String> = [
        "core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "format-assertion",
        "content",
    ]

    let registry: SchemaRegistry
    let options: SchemaOptions
    var program = SchemaProgram()
    private var documents: [(value: JSONValue, uri: String)] = []
    private var loadedURIs: Set<String> = []
    private var scopes: [Place: Scope] = [:]
    private var resources: [String: Place] = [:]
    private var anchors: [String: Place] = [:]
    private var dynamicAnchors: [String: [String: Place]] = [:]
    private var nodeByPlace: [Place: Int] = [:]
    private var pending: [(place: Place, node: Int)] = []
    private var resourceIDs: [String: Int] = [:]
    private var resourceURIs: [String] = []

    private init(registry: SchemaRegistry, options: SchemaOptions) {
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

    private func location(_ place: Place, _ suffix: String = "") -> String {
        let prefix = place.document == 0 ? "" : documents[place.document].uri + "#"
        return prefix + place.pointer + suffix
    }

    private func error(_ place: Place, _ keyword: String?, _ message: String) -> SchemaCompileError {
        SchemaCompileError(
            schemaLocation: location(place, keyword.map { "/" + JSONPointer.escape($0) } ?? ""), message: message)
    }

    private mutating func locationIndex(_ place: Place, _ keyword: String? = nil) -> Int {
        program.locations.append(location(place, keyword.map { "/" + JSONPointer.escape($0) } ?? ""))
        return program.locations.count - 1
    }

    // MARK: indexing

    /// Adds a document and indexes it; returns its root place.
    private mutating func load(_ value: JSONValue, uri: String, fallback: Dialect) throws(SchemaCompileError) -> Place {
        let place = Place(document: documents.count, pointer: "")
        documents.append((value, uri))
        loadedURIs.insert(uri)
        if resources[uri] == nil { resources[uri] = place }
        try index(value, at: place, scope: Scope(base: URIReference(uri)!, dialect: fallback))
        return place
    }

    private mutating func dialect(for uri: String, at place: Place, depth: Int = 0) throws(SchemaCompileError)
        -> Dialect
    {
        let normalized = uri.hasSuffix("#") ? String(uri.dropLast()) : uri
        if normalized == SchemaDraft.draft2020_12.metaschemaURI { return Dialect(draft: .draft2020_12) }
        if normalized == SchemaDraft.draft7.metaschemaURI || normalized == "https://json-schema.org/draft-07/schema" {
            return Dialect(draft: .draft7)
        }
        guard depth < 8, let metaschema = registry.document(at: normalized), case .object(let members) = metaschema
        else {
            throw error(
                place, "$schema",
                "unknown meta-schema \(uri): use \(SchemaDraft.draft2020_12.metaschemaURI) or "
                    + "\(SchemaDraft.draft7.metaschemaURI), or register the meta-schema in the SchemaRegistry")
        }
        guard let parent = members["$schema"]?.stringValue, parent != uri, parent != normalized else {
            throw error(place, "$schema", "meta-schema \(uri) does not name a known draft in its own $schema")
        }
        var dialect = try self.dialect(for: parent, at: place, depth: depth + 1)
        if let vocabularies = members["$vocabulary"]?.objectValue, dialect.draft == .draft2020_12 {
            for (name, required) in vocabularies where required == .bool(true) {
                let known =
                    name.hasPrefix(SchemaCompiler.vocabularyPrefix)
                    && SchemaCompiler.knownVocabularies.contains(
                        String(name.dropFirst(SchemaCompiler.vocabularyPrefix.count)))
                if !known {
                    throw error(place, "$schema", "meta-schema \(uri) requires the unknown vocabulary \(name)")
                }
            }
            dialect.validation = vocabularies[SchemaCompiler.vocabularyPrefix + "validation"] != nil
            dialect.formatAssertion = vocabularies[SchemaCompiler.vocabularyPrefix + "format-assertion"] != nil
        }
        return dialect
    }

    private static let singleSubschemas2020: [String] = [
        "items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "contains", "propertyNames",
        "not", "if", "then", "else",
    ]
    private static let singleSubschemas7: [String] = [
        "additionalItems", "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else",
    ]
    private static let arraySubschemas2020 = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let arraySubschemas7 = ["allOf", "anyOf", "oneOf"]
    private static let mapSubschemas2020 = ["$defs", "properties", "patternProperties", "dependentSchemas"]
    private static let mapSubschemas7 = ["definitions", "properties", "patternProperties", "dependencies"]

    /// Records the scope (base URI, dialect) of every subschema of `root`, and its `$id`s and
    /// anchors. Walks with a worklist, not recursion, so a deeply nested schema cannot overflow
    /// the stack (in a debug build each recursive level took several KiB).
    private mutating func index(_ root: JSONValue, at rootPlace: Place, scope rootScope: Scope)
        throws(SchemaCompileError)
    {
        var pending = [(root, rootPlace, rootScope)]
        while let (value, place, inherited) = pending.popLast() {
            // Children are pushed in reverse, so subschemas are visited in document order, as a
            // recursive walk would (the first `$id` or `$dynamicAnchor` seen wins).
            var children: [(JSONValue, Place, Scope)] = []
            try indexOne(value, at: place, scope: inherited, children: &children)
            pending.append(contentsOf: children.reversed())
        }
    }

    private mutating func indexOne(
        _ value: JSONValue, at place: Place, scope inherited: Scope, children: inout [(JSONValue, Place, Scope)]
    ) throws(SchemaCompileError) {
        guard case .object(let members) = value else {
            scopes[place] = inherited
            return
        }
        var scope = inherited
        if let schemaURI = members["$schema"] {
            guard let text = schemaURI.stringValue else { throw error(place, "$schema", "expected a URI string") }
            scope.dialect = try dialect(for: text, at: place)
        }
        let draft = scope.dialect.draft
        if draft == .draft7 && members["$ref"] != nil {
            // Draft-07: `$ref` makes every sibling keyword, `$id` included, ignored.
            scopes[place] = scope
            return
        }
        if let idValue = members["$id"] {
            guard let id = idValue.stringValue, let reference = URIReference(id) else {
                throw error(place, "$id", "expected a URI reference string")
            }
            let resolved = scope.base.resolving(reference)
            if draft == .draft7 && id.hasPrefix("#") {
                anchors[scope.base.withoutFragment + id] = place
            } else {
                if draft == .draft2020_12, let fragment = resolved.fragment, !fragment.isEmpty {
                    throw error(place, "$id", "$id must not contain a fragment (use $anchor): \(id)")
                }
                let base = resolved.withoutFragment
                scope.base = URIReference(base)!
                if resources[base] == nil { resources[base] = place }
                if let fragment = resolved.fragment, !fragment.isEmpty { anchors[base + "#" + fragment] = place }
            }
        }
        if draft == .draft2020_12 {
            if let anchor = members["$anchor"] {
                guard let name = anchor.stringValue else { throw error(place, "$anchor", "expected a string") }
                anchors[scope.base.withoutFragment + "#" + name] = place
            }
            if let anchor = members["$dynamicAnchor"] {
                guard let name = anchor.stringValue else { throw error(place, "$dynamicAnchor", "expected a string") }
                let resource = scope.base.withoutFragment
                if anchors[resource + "#" + name] == nil { anchors[resource + "#" + name] = place }
                dynamicAnchors[resource, default: [:]][name] = place
            }
        }
        scopes[place] = scope
        let singles = draft == .draft7 ? SchemaCompiler.singleSubschemas7 : SchemaCompiler.singleSubschemas2020
        let arrays = draft == .draft7 ? SchemaCompiler.arraySubschemas7 : SchemaCompiler.arraySubschemas2020
        let maps = draft == .draft7 ? SchemaCompiler.mapSubschemas7 : SchemaCompiler.mapSubschemas2020
        for keyword in singles {
            if let sub = members[keyword] { children.append((sub, child(place, keyword), scope)) }
        }
        if draft == .draft7, let items = members["items"] {
            if case .array(let elements) = items {
                for offset in elements.indices {
                    children.append((elements[offset], child(place, "items", String(offset)), scope))
                }
            } else {
                children.append((items, child(place, "items"), scope))
            }
        }
        for keyword in arrays {
            guard case .array(let elements) = members[keyword] else { continue }
            for offset in elements.indices {
                children.append((elements[offset], child(place, keyword, String(offset)), scope))
            }
        }
        for keyword in maps {
            guard case .object(let entries) = members[keyword] else { continue }
            for (name, sub) in entries {
                switch sub {
                case .object, .bool: children.append((sub, child(place, keyword, name), scope))
                default: continue
                }
            }
        }
    }

    private func child(_ place: Place, _ tokens: String...) -> Place {
        var pointer = place.pointer
        for token in tokens { pointer += "/" + JSONPointer.escape(token) }
        return Place(document: place.document, pointer: pointer)
    }

    // MARK: references

    private mutating func resource(at uri: String, fallback: Dialect) throws(SchemaCompileError) -> Place? {
        if let place = resources[uri] { return place }
        if let document = registry.document(at: uri), !loadedURIs.contains(uri) {
            _ = try load(document, uri: uri, fallback: fallback)
            return resources[uri]
        }
        // The URI may be an `$id` embedded in a registered document not loaded yet.
        for (registered, document) in registry.documents.sorted(by: { $0.key < $1.key })
        where !loadedURIs.contains(registered) {
            _ = try load(document, uri: registered, fallback: fallback)
            if let place = resources[uri] { return place }
        }
        return nil
    }

    /// The place a `$ref`-style reference at `place` points to.
    private mutating func resolve(
        _ reference: String, from place: Place, keyword: String, scope: Scope
    ) throws(SchemaCompileError) -> Place {
        guard let parsed = URIReference(reference) else {
            throw error(place, keyword, "invalid URI reference \(reference)")
        }
        let target = scope.base.resolving(parsed)
        let base = target.withoutFragment
        guard let fragment = JSONPointer.percentDecoded(target.fragment ?? "") else {
            throw error(place, keyword, "invalid percent-encoding in \(reference)")
        }
        guard let root = try resource(at: base, fallback: scope.dialect) else {
            throw error(place, keyword, "cannot resolve \(reference): no schema is registered at \(base)")
        }
        if fragment.isEmpty { return root }
        if fragment.hasPrefix("/") {
            guard let tokens = JSONPointer.tokens(fragment) else {
                throw error(place, keyword, "cannot resolve \(reference): malformed JSON Pointer")
            }
            let target = Place(
                document: root.document, pointer: root.pointer + tokens.map { "/" + JSONPointer.escape($0) }.joined())
            guard let rootTokens = JSONPointer.tokens(target.pointer),
                JSONPointer.resolve(rootTokens, in: documents[target.document].value) != nil
            else {
                throw error(place, keyword, "cannot resolve \(reference): nothing at that JSON Pointer")
            }
            return target
        }
        guard let anchored = anchors[base + "#" + fragment] else {
            throw error(place, keyword, "cannot resolve \(reference): no $anchor \"\(fragment)\" in \(base)")
        }
        return anchored
    }

    // MARK: compiling

    private mutating func node(at place: Place) -> Int {
        if let existing = nodeByPlace[place] { return existing }
        let index = program.nodes.count
        program.nodes.append(SchemaNode())
        nodeByPlace[place] = index
        pending.append((place, index))
        return index
    }

    private mutating func drain() throws(SchemaCompileError) {
        while true {
            while let (place, index) = pending.popLast() { try compileNode(place, into: index) }
            guard program.usesDynamicScope else { return }
            // Every resource that can be in the dynamic scope needs its dynamic anchors compiled.
            var added = false
            for id in program.dynamicAnchors.indices {
                for (name, place) in dynamicAnchors[resourceURIs[id]] ?? [:]
                where program.dynamicAnchors[id][name] == nil {
                    program.dynamicAnchors[id][name] = node(at: place)
                    added = true
                }
            }
            if !added && pending.isEmpty { return }
        }
    }

    private mutating func scope(at place: Place, value: JSONValue) throws(SchemaCompileError) -> Scope {
        if let known = scopes[place] { return known }
        // Reached by a JSON Pointer into a place indexing did not visit: inherit from the
        // nearest visited ancestor and index the subtree now.
        var pointer = place.pointer
        var inherited = scopes[Place(document: place.document, pointer: "")]!
        while let slash = pointer.lastIndex(of: "/") {
            pointer = String(pointer[..<slash])
            if let found = scopes[Place(document: place.document, pointer: pointer)] {
                inherited = found
                break
            }
        }
        try index(value, at: place, scope: inherited)
        return scopes[place]!
    }

    private mutating func resourceID(_ uri: String) -> Int {
        if let id = resourceIDs[uri] { return id }
        let id = resourceURIs.count
        resourceURIs.append(uri)
        resourceIDs[uri] = id
        program.dynamicAnchors.append([:])
        return id
    }

    private mutating func compileNode(_ place: Place, into index: Int) throws(SchemaCompileError) {
        let tokens = JSONPointer.tokens(place.pointer)!
        let value = JSONPointer.resolve(tokens, in: documents[place.document].value)!
        let scope = try scope(at: place, value: value)
        var node = SchemaNode()
        node.location = locationIndex(place)
        node.resource = resourceID(scope.base.withoutFragment)
        switch value {
        case .bool(true): break
        case .bool(false): node.keywords = [.alwaysInvalid(at: node.location)]
        case .object(let members):
            var builder = KeywordBuilder(place: place, members: members, scope: scope)
            try compileKeywords(&builder)
            node.keywords = builder.keywords
            node.needsAnnotations = builder.needsAnnotations
        default:
            throw error(place, nil, "a schema must be an object or a boolean, got \(value.typeName)")
        }
        program.nodes[index] = node
    }

    /// The keywords of one schema object being compiled.
    struct KeywordBuilder {
        let place: Place
        let members: [String: JSONValue]
        let scope: Scope
        var keywords: [Keyword] = []
        var needsAnnotations = false
    }

    private mutating func compileKeywords(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        let draft = builder.scope.dialect.draft
        if draft == .draft7, let reference = members["$ref"] {
            guard let text = reference.stringValue else {
                throw error(place, "$ref", "expected a URI reference string")
            }
            let target = try resolve(text, from: place, keyword: "$ref", scope: builder.scope)
            builder.keywords = [.reference(node(at: target), at: locationIndex(place, "$ref"))]
            return
        }
        if builder.scope.dialect.validation {
            try compileAssertions(&builder)
        }
        if let value = members["format"] {
            guard let name = value.stringValue else { throw error(place, "format", "expected a string") }
            if options.assertFormats || builder.scope.dialect.formatAssertion, let format = Format(rawValue: name) {
                builder.keywords.append(.format(format, at: locationIndex(place, "format")))
            }
        }
        try compileObjectApplicators(&builder)
        try compileArrayApplicators(&builder)
        try compileCombinators(&builder)
    }

    // MARK: keyword values

    /// Keeps `object` alive for the program's lifetime and returns an uncounted reference to it.
    private mutating func keep<Object: AnyObject & Sendable>(_ object: Object) -> Borrowed<Object> {
        program.objects.append(object)
        return Borrowed(object)
    }

    private func nonNegativeInteger(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError) -> Int? {
        guard let value = builder.members[keyword] else { return nil }
        if let count = SchemaCompiler.count(value) { return count }
        throw error(builder.place, keyword, "expected a non-negative integer, got \(value.serialized())")
    }

    /// `value` as a non-negative count (integers beyond `Int` clamp to `Int.max`), or nil.
    private static func count(_ value: JSONValue) -> Int? {
        guard let number = value.numberValue, number.isInteger, number >= JSONNumber(0) else { return nil }
        if let exact = number.int64Value { return Int(clamping: exact) }
        return Int.max
    }

    private func number(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError) -> JSONNumber? {
        guard let value = builder.members[keyword] else { return nil }
        guard case .number(let number) = value else {
            throw error(builder.place, keyword, "expected a number, got \(value.serialized())")
        }
        return number
    }

    private func stringArray(_ value: JSONValue, _ builder: KeywordBuilder, _ keyword: String)
        throws(SchemaCompileError)
        -> [String]
    {
        guard case .array(let elements) = value else {
            throw error(builder.place, keyword, "expected an array of strings, got \(value.typeName)")
        }
        var strings: [String] = []
        for element in elements {
            guard let text = element.stringValue else {
                throw error(builder.place, keyword, "expected an array of strings, found \(element.serialized())")
            }
            strings.append(text)
        }
        return strings
    }

    private mutating func subschema(_ builder: KeywordBuilder, _ tokens: String...) throws(SchemaCompileError) -> Int {
        var place = builder.place
        for token in tokens { place.pointer += "/" + JSONPointer.escape(token) }
        let value = JSONPointer.resolve(JSONPointer.tokens(place.pointer)!, in: documents[place.document].value)!
        switch value {
        case .object, .bool: return node(at: place)
        default:
            throw error(place, nil, "expected a schema (an object or a boolean), got \(value.typeName)")
        }
    }

    private mutating func subschemaArray(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError)
        -> [Int]?
    {
        guard let value = builder.members[keyword] else { return nil }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw error(builder.place, keyword, "expected a non-empty array of schemas")
        }
        var nodes: [Int] = []
        for offset in elements.indices { nodes.append(try subschema(builder, keyword, String(offset))) }
        return nodes
    }

    private mutating func subschemaMap(_ builder: KeywordBuilder, _ keyword: String) throws(SchemaCompileError)
        -> [(String, Int)]?
    {
        guard let value = builder.members[keyword] else { return nil }
        guard case .object(let entries) = value else {
            throw error(builder.place, keyword, "expected an object whose values are schemas")
        }
        var result: [(String, Int)] = []
        for name in entries.keys.sorted() { result.append((name, try subschema(builder, keyword, name))) }
        return result
    }

    private mutating func compileAssertions(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        if let value = members["type"] {
            var types = TypeSet()
            let names: [JSONValue]
            if case .array(let elements) = value { names = elements } else { names = [value] }
            for name in names {
                guard let text = name.stringValue, let type = TypeSet.named(text) else {
                    throw error(
                        place, "type",
                        "unknown type \(name.serialized()); expected one of null, boolean, "
                            + "integer, number, string, array, object")
                }
                types.insert(type)
            }
            builder.keywords.append(.type(types, at: locationIndex(place, "type")))
        }
        if let value = members["enum"] {
            guard case .array(let elements) = value else {
                throw error(place, "enum", "expected an array, got \(value.typeName)")
            }
            builder.keywords.append(.enumeration(keep(EnumValues(elements)), at: locationIndex(place, "enum")))
        }
        if let value = members["const"] {
            builder.keywords.append(.constant(keep(EnumValues([value])), at: locationIndex(place, "const")))
        }
        if let value = try number(builder, "multipleOf") {
            guard value > JSONNumber(0) else { throw error(place, "multipleOf", "expected a number greater than 0") }
            builder.keywords.append(.multipleOf(keep(Box(value)), at: locationIndex(place, "multipleOf")))
        }
        if let value = try number(builder, "maximum") {
            builder.keywords.append(.maximum(keep(Box(value)), at: locationIndex(place, "maximum")))
        }
        if let value = try number(builder, "exclusiveMaximum") {
            builder.keywords.append(.exclusiveMaximum(keep(Box(value)), at: locationIndex(place, "exclusiveMaximum")))
        }
        if let value = try number(builder, "minimum") {
            builder.keywords.append(.minimum(keep(Box(value)), at: locationIndex(place, "minimum")))
        }
        if let value = try number(builder, "exclusiveMinimum") {
            builder.keywords.append(.exclusiveMinimum(keep(Box(value)), at: locationIndex(place, "exclusiveMinimum")))
        }
        if let value = try nonNegativeInteger(builder, "maxLength") {
            builder.keywords.append(.maxLength(value, at: locationIndex(place, "maxLength")))
        }
        if let value = try nonNegativeInteger(builder, "minLength") {
            builder.keywords.append(.minLength(value, at: locationIndex(place, "minLength")))
        }
        if let value = members["pattern"] {
            guard let source = value.stringValue else { throw error(place, "pattern", "expected a string") }
            guard let regex = ECMARegex(source) else {
                throw error(place, "pattern", "invalid or unsupported regular expression \(source)")
            }
            builder.keywords.append(.pattern(keep(regex), at: locationIndex(place, "pattern")))
        }
        if let value = try nonNegativeInteger(builder, "maxItems") {
            builder.keywords.append(.maxItems(value, at: locationIndex(place, "maxItems")))
        }
        if let value = try nonNegativeInteger(builder, "minItems") {
            builder.keywords.append(.minItems(value, at: locationIndex(place, "minItems")))
        }
        if let value = members["uniqueItems"] {
            guard let flag = value.boolValue else { throw error(place, "uniqueItems", "expected a boolean") }
            if flag { builder.keywords.append(.uniqueItems(at: locationIndex(place, "uniqueItems"))) }
        }
        if let value = try nonNegativeInteger(builder, "maxProperties") {
            builder.keywords.append(.maxProperties(value, at: locationIndex(place, "maxProperties")))
        }
        if let value = try nonNegativeInteger(builder, "minProperties") {
            builder.keywords.append(.minProperties(value, at: locationIndex(place, "minProperties")))
        }
        if let value = members["required"] {
            let names = try stringArray(value, builder, "required")
            if !names.isEmpty {
                builder.keywords.append(.required(keep(Box(names)), at: locationIndex(place, "required")))
            }
        }
        var dependencies: [(property: String, required: [String])] = []
        if builder.scope.dialect.draft == .draft2020_12, let value = members["dependentRequired"] {
            guard case .object(let entries) = value else {
                throw error(place, "dependentRequired", "expected an object of string arrays")
            }
            for name in entries.keys.sorted() {
                dependencies.append((name, try stringArray(entries[name]!, builder, "dependentRequired")))
            }
            if !dependencies.isEmpty {
                builder.keywords.append(
                    .dependentRequired(keep(Box(dependencies)), at: locationIndex(place, "dependentRequired")))
            }
        }
        if builder.scope.dialect.draft == .draft7, case .object(let entries) = members["dependencies"] {
            for name in entries.keys.sorted() {
                if case .array = entries[name]! {
                    dependencies.append((name, try stringArray(entries[name]!, builder, "dependencies")))
                }
            }
            if !dependencies.isEmpty {
                builder.keywords.append(
                    .dependentRequired(keep(Box(dependencies)), at: locationIndex(place, "dependencies")))
            }
        }
    }

    private mutating func compileObjectApplicators(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        var properties: [(String, Int)] = []
        var patternProperties: [(pattern: ECMARegex, node: Int)] = []
        var additional: Int?
        var patternLocation = 0
        var additionalLocation = 0
        if let map = try subschemaMap(builder, "properties") { properties = map }
        if case .object(let patterns) = members["patternProperties"] {
            for source in patterns.keys.sorted() {
                guard let regex = ECMARegex(source) else {
                    throw error(place, "patternProperties", "invalid or unsupported regular expression \(source)")
                }
                patternProperties.append((regex, try subschema(builder, "patternProperties", source)))
            }
            patternLocation = locationIndex(place, "patternProperties")
        } else if members["patternProperties"] != nil {
            throw error(place, "patternProperties", "expected an object whose values are schemas")
        }
        if members["additionalProperties"] != nil {
            additional = try subschema(builder, "additionalProperties")
            additionalLocation = locationIndex(place, "additionalProperties")
        }
        if members["properties"] != nil || !patternProperties.isEmpty || additional != nil {
            // Fold `required` in when every required name is a declared property.
            var required: [String] = []
            var requiredLocation = 0
            let declared = Set(properties.map(\.0))
            if let offset = builder.keywords.firstIndex(where: {
                if case .required(let names, _) = $0 { return names.object.value.allSatisfy(declared.contains) }
                return false
            }), case .required(let names, let at) = builder.keywords[offset] {
                required = names.object.value
                requiredLocation = at
                builder.keywords.remove(at: offset)
            }
            let rules = MemberRules(
                properties: properties, required: required, patternProperties: patternProperties,
                additionalProperties: additional, additionalIsFalse: members["additionalProperties"] == .bool(false),
                patternLocation: patternLocation, additionalLocation: additionalLocation,
                requiredLocation: requiredLocation)
            builder.keywords.append(.members(keep(rules)))
        }
        if members["propertyNames"] != nil {
            builder.keywords.append(
                .propertyNames(try subschema(builder, "propertyNames"), at: locationIndex(place, "propertyNames")))
        }
        var dependentSchemas: [(property: String, node: Int)] = []
        if builder.scope.dialect.draft == .draft2020_12, let map = try subschemaMap(builder, "dependentSchemas") {
            dependentSchemas = map.map { ($0.0, $0.1) }
        }
        if builder.scope.dialect.draft == .draft7, case .object(let entries) = members["dependencies"] {
            for name in entries.keys.sorted() {
                switch entries[name]! {
                case .array: continue
                case .object, .bool: dependentSchemas.append((name, try subschema(builder, "dependencies", name)))
                default: throw error(place, "dependencies", "expected a schema or an array of strings for \(name)")
                }
            }
        }
        if !dependentSchemas.isEmpty {
            let keyword = builder.scope.dialect.draft == .draft7 ? "dependencies" : "dependentSchemas"
            builder.keywords.append(.dependentSchemas(keep(Box(dependentSchemas)), at: locationIndex(place, keyword)))
        }
    }

    private mutating func compileArrayApplicators(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        var prefixCount = 0
        if builder.scope.dialect.draft == .draft7 {
            if case .array = members["items"] {
                let nodes = try subschemaArray(builder, "items") ?? []
                prefixCount = nodes.count
                builder.keywords.append(.prefixItems(keep(Box(nodes)), at: locationIndex(place, "items")))
                if members["additionalItems"] != nil {
                    builder.keywords.append(
                        .items(
                            from: prefixCount, node: try subschema(builder, "additionalItems"),
                            at: locationIndex(place, "additionalItems")))
                }
            } else if members["items"] != nil {
                builder.keywords.append(
                    .items(from: 0, node: try subschema(builder, "items"), at: locationIndex(place, "items")))
            }
        } else {
            if let nodes = try subschemaArray(builder, "prefixItems") {
                prefixCount = nodes.count
                builder.keywords.append(.prefixItems(keep(Box(nodes)), at: locationIndex(place, "prefixItems")))
            }
            if members["items"] != nil {
                builder.keywords.append(
                    .items(from: prefixCount, node: try subschema(builder, "items"), at: locationIndex(place, "items")))
            }
        }
        if members["contains"] != nil {
            let node = try subschema(builder, "contains")
            var minimum = 1
            var maximum: Int?
            if builder.scope.dialect.draft == .draft2020_12 && builder.scope.dialect.validation {
                minimum = try nonNegativeInteger(builder, "minContains") ?? 1
                maximum = try nonNegativeInteger(builder, "maxContains")
            }
            builder.keywords.append(
                .contains(node: node, min: minimum, max: maximum, at: locationIndex(place, "contains")))
        }
    }

    private mutating func compileCombinators(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        if builder.scope.dialect.draft == .draft2020_12 {
            if let reference = members["$ref"] {
                guard let text = reference.stringValue else {
                    throw error(place, "$ref", "expected a URI reference string")
                }
                let target = try resolve(text, from: place, keyword: "$ref", scope: builder.scope)
                builder.keywords.append(.reference(node(at: target), at: locationIndex(place, "$ref")))
            }
            if let reference = members["$dynamicRef"] {
                guard let text = reference.stringValue else {
                    throw error(place, "$dynamicRef", "expected a URI reference string")
                }
                let target = try resolve(text, from: place, keyword: "$dynamicRef", scope: builder.scope)
                let at = locationIndex(place, "$dynamicRef")
                let fragment = URIReference(text)?.fragment ?? ""
                let targetValue = JSONPointer.resolve(
                    JSONPointer.tokens(target.pointer)!, in: documents[target.document].value)
                if !fragment.isEmpty, !fragment.hasPrefix("/"), targetValue?["$dynamicAnchor"]?.stringValue == fragment
                {
                    program.usesDynamicScope = true
                    builder.keywords.append(.dynamicReference(node(at: target), anchor: keep(Box(fragment)), at: at))
                } else {
                    builder.keywords.append(.reference(node(at: target), at: at))
                }
            }
        }
        if let nodes = try subschemaArray(builder, "allOf") {
            builder.keywords.append(.allOf(keep(Box(nodes)), at: locationIndex(place, "allOf")))
        }
        if let nodes = try subschemaArray(builder, "anyOf") {
            builder.keywords.append(.anyOf(keep(Box(nodes)), at: locationIndex(place, "anyOf")))
        }
        if let nodes = try subschemaArray(builder, "oneOf") {
            builder.keywords.append(.oneOf(keep(Box(nodes)), at: locationIndex(place, "oneOf")))
        }
        if members["not"] != nil {
            builder.keywords.append(.not(try subschema(builder, "not"), at: locationIndex(place, "not")))
        }
        if members["if"] != nil {
            let condition = try subschema(builder, "if")
            let then = members["then"] != nil ? try subschema(builder, "then") : nil
            let otherwise = members["else"] != nil ? try subschema(builder, "else") : nil
            builder.keywords.append(
                .conditional(if: condition, then: then, else: otherwise, at: locationIndex(place, "if")))
        }
        if builder.scope.dialect.draft == .draft2020_12 {
            if members["unevaluatedProperties"] != nil {
                builder.needsAnnotations = true
                builder.keywords.append(
                    .unevaluatedProperties(
                        try subschema(builder, "unevaluatedProperties"),
                        isFalse: members["unevaluatedProperties"] == .bool(false),
                        at: locationIndex(place, "unevaluatedProperties")))
            }
            if members["unevaluatedItems"] != nil {
                builder.needsAnnotations = true
                builder.keywords.append(
                    .unevaluatedItems(
                        try subschema(builder, "unevaluatedItems"),
                        isFalse: members["unevaluatedItems"] == .bool(false),
                        at: locationIndex(place, "unevaluatedItems")))
            }
        }
    }
}
