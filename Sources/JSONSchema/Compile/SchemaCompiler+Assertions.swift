import JSON

extension SchemaCompiler {
    /// The validation vocabulary's assertions, cheapest first.
    mutating func compileAssertions(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        try compileValueAssertions(&builder)
        try compileNumberAssertions(&builder)
        try compileCountAssertions(&builder)
        try compileRequired(&builder)
    }

    /// `type`, `enum`, `const`.
    private mutating func compileValueAssertions(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
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
    }

    /// `multipleOf` and the numeric bounds.
    private mutating func compileNumberAssertions(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        if let value = try number(builder, "multipleOf") {
            guard value > JSONNumber(0) else { throw error(place, "multipleOf", "expected a number greater than 0") }
            builder.keywords.append(.multipleOf(keep(NumberBound(value)), at: locationIndex(place, "multipleOf")))
        }
        if let value = try number(builder, "maximum") {
            builder.keywords.append(.maximum(keep(NumberBound(value)), at: locationIndex(place, "maximum")))
        }
        if let value = try number(builder, "exclusiveMaximum") {
            builder.keywords.append(
                .exclusiveMaximum(keep(NumberBound(value)), at: locationIndex(place, "exclusiveMaximum")))
        }
        if let value = try number(builder, "minimum") {
            builder.keywords.append(.minimum(keep(NumberBound(value)), at: locationIndex(place, "minimum")))
        }
        if let value = try number(builder, "exclusiveMinimum") {
            builder.keywords.append(
                .exclusiveMinimum(keep(NumberBound(value)), at: locationIndex(place, "exclusiveMinimum")))
        }
    }

    /// Lengths, counts, `pattern` and `uniqueItems`.
    private mutating func compileCountAssertions(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
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
    }

    /// `required`, `dependentRequired` (draft-07: the array form of `dependencies`).
    private mutating func compileRequired(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
        let place = builder.place
        let members = builder.members
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
}
