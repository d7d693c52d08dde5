import JSON

extension SchemaCompiler {
    // MARK: compiling

    mutating func node(at place: Place) -> Int {
        if let existing = nodeByPlace[place] { return existing }
        let index = program.nodes.count
        program.nodes.append(SchemaNode())
        nodeByPlace[place] = index
        pending.append((place, index))
        return index
    }

    mutating func drain() throws(SchemaCompileError) {
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

    mutating func scope(at place: Place, value: JSONValue) throws(SchemaCompileError) -> Scope {
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

    mutating func resourceID(_ uri: String) -> Int {
        if let id = resourceIDs[uri] { return id }
        let id = resourceURIs.count
        resourceURIs.append(uri)
        resourceIDs[uri] = id
        program.dynamicAnchors.append([:])
        return id
    }

    mutating func compileNode(_ place: Place, into index: Int) throws(SchemaCompileError) {
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

    mutating func compileKeywords(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
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
}
