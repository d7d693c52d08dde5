import JSON

extension SchemaCompiler {
    mutating func compileCombinators(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        try compileReferences(&builder)
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
                .conditional(
                    if: condition, branches: keep(Box(ConditionalBranches(then: then, otherwise: otherwise))),
                    at: locationIndex(place, "if")))
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

    /// Draft 2020-12's `$ref` and `$dynamicRef` (draft-07's `$ref` replaces the whole schema: see
    /// ``compileKeywords(_:)``).
    private mutating func compileReferences(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
        guard builder.scope.dialect.draft == .draft2020_12 else { return }
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
            if !fragment.isEmpty, !fragment.hasPrefix("/"), targetValue?["$dynamicAnchor"]?.stringValue == fragment {
                program.usesDynamicScope = true
                builder.keywords.append(.dynamicReference(node(at: target), anchor: keep(Box(fragment)), at: at))
            } else {
                builder.keywords.append(.reference(node(at: target), at: at))
            }
        }
    }
}
