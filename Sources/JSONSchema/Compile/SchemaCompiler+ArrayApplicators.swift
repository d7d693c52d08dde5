import JSON

extension SchemaCompiler {
    mutating func compileArrayApplicators(_ builder: inout KeywordBuilder) throws(SchemaCompileError) {
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
                .contains(
                    node: node, bounds: keep(Box(ContainsBounds(minimum: minimum, maximum: maximum))),
                    at: locationIndex(place, "contains")))
        }
    }
}
