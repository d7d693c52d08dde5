import JSON

extension SchemaCompiler {
    mutating func compileObjectApplicators(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
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
}
