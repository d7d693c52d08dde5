import JSON

extension SchemaCompiler {
    // MARK: indexing

    /// Adds a document and indexes it; returns its root place.
    mutating func load(_ value: JSONValue, uri: String, fallback: Dialect) throws(SchemaCompileError) -> Place {
        let place = Place(document: documents.count, pointer: "")
        documents.append((value, uri))
        loadedURIs.insert(uri)
        if resources[uri] == nil { resources[uri] = place }
        try index(value, at: place, scope: Scope(base: URIReference(uri)!, dialect: fallback))
        return place
    }

    mutating func dialect(for uri: String, at place: Place, depth: Int = 0) throws(SchemaCompileError)
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

    static let singleSubschemas2020: [String] = [
        "items", "additionalProperties", "unevaluatedItems", "unevaluatedProperties", "contains", "propertyNames",
        "not", "if", "then", "else",
    ]
    static let singleSubschemas7: [String] = [
        "additionalItems", "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else",
    ]
    static let arraySubschemas2020 = ["allOf", "anyOf", "oneOf", "prefixItems"]
    static let arraySubschemas7 = ["allOf", "anyOf", "oneOf"]
    static let mapSubschemas2020 = ["$defs", "properties", "patternProperties", "dependentSchemas"]
    static let mapSubschemas7 = ["definitions", "properties", "patternProperties", "dependencies"]

    /// Records the scope (base URI, dialect) of every subschema of `root`, and its `$id`s and
    /// anchors. Walks with a worklist, not recursion, so a deeply nested schema cannot overflow
    /// the stack (in a debug build each recursive level took several KiB).
    mutating func index(_ root: JSONValue, at rootPlace: Place, scope rootScope: Scope)
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

    mutating func indexOne(
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
        try recordIdentifiers(members, at: place, scope: &scope)
        scopes[place] = scope
        appendSubschemas(of: members, at: place, scope: scope, to: &children)
    }

    /// Records `$id` (a new base URI and resource), `$anchor` and `$dynamicAnchor` at `place`.
    private mutating func recordIdentifiers(_ members: JSONObject, at place: Place, scope: inout Scope)
        throws(SchemaCompileError)
    {
        let draft = scope.dialect.draft
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
    }

    /// The subschemas of a schema object, by the keywords of its draft that hold them.
    private func appendSubschemas(
        of members: JSONObject, at place: Place, scope: Scope, to children: inout [(JSONValue, Place, Scope)]
    ) {
        let draft = scope.dialect.draft
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
            // In name order, so which `$id` or anchor is seen first does not follow the hash seed.
            for name in entries.keys.sorted() {
                let sub = entries[name]!
                switch sub {
                case .object, .bool: children.append((sub, child(place, keyword, name), scope))
                default: continue
                }
            }
        }
    }

    func child(_ place: Place, _ tokens: String...) -> Place {
        var pointer = place.pointer
        for token in tokens { pointer += "/" + JSONPointer.escape(token) }
        return Place(document: place.document, pointer: pointer)
    }
}
