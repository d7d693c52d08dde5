import JSON

extension SchemaCompiler {
    // MARK: references

    mutating func resource(at uri: String, fallback: Dialect) throws(SchemaCompileError) -> Place? {
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
    mutating func resolve(
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
}
