import JSON

extension SchemaEvaluator {
    mutating func checkMembers(_ borrowed: Borrowed<MemberRules>, _ instance: JSONValue, collect: Bool) -> Bool {
        guard case .object(let members) = instance else { return true }
        return borrowed.read { rules in checkMembers(rules, members, collect: collect) }
    }

    mutating func checkPropertyNames(_ node: Int, _ at: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        guard case .object(let members) = instance else { return true }
        var valid = true
        if sortsMembers {
            for name in members.keys.sorted() where !probe(node, .string(name), collect: false).0 {
                valid = fail(at, "invalid property name \"\(name)\"")
                if stopsEarly { return false }
            }
        } else {
            for name in members.keys where !probe(node, .string(name), collect: false).0 {
                valid = fail(at, "invalid property name \"\(name)\"")
                if stopsEarly { return false }
            }
        }
        return valid
    }

    mutating func checkDependentSchemas(
        _ box: Borrowed<Box<[(property: String, node: Int)]>>, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        let dependencies = box.object.value
        guard case .object(let members) = instance else { return true }
        var valid = true
        for (property, node) in dependencies where members[property] != nil {
            if !validate(node, instance, collect: collect) {
                valid = false
                if stopsEarly { return false }
            }
        }
        return valid
    }

    mutating func checkMembers(_ rules: MemberRules, _ members: [String: JSONValue], collect: Bool) -> Bool {
        var valid = true
        var requiredFound = 0
        // Small instances are scanned (no hashing); a large instance against a short `properties`
        // list is probed by name instead.
        if rules.patternProperties.isEmpty && rules.additionalProperties == nil && !collect
            && members.count > 16 && members.count > rules.propertyList.count
        {
            // Only `properties`: walk the schema's (shorter) list.
            for property in rules.propertyList {
                guard let value = members[property.name] else { continue }
                if property.isRequired { requiredFound += 1 }
                if !validateChild(property.node, value, key: property.name) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        } else if sortsMembers {
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                if !checkMember(rules, name, value, collect: collect, &requiredFound) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        } else {
            for (name, value) in members {
                if !checkMember(rules, name, value, collect: collect, &requiredFound) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        }
        if requiredFound < rules.requiredNames.count {
            for name in rules.requiredNames where members[name] == nil {
                valid = fail(rules.requiredLocation, "missing required property \"\(name)\"")
                if stopsEarly { return false }
            }
        }
        if collect && rules.additionalProperties != nil { annotate { $0.allProperties = true } }
        return valid
    }

    /// One member against `properties`, `patternProperties` and `additionalProperties`, and
    /// its annotation when `collect`.
    @inline(__always)
    mutating func checkMember(
        _ rules: MemberRules, _ name: String, _ value: JSONValue, collect: Bool, _ requiredFound: inout Int
    ) -> Bool {
        var matched = false
        let valid = checkMember(rules, name, value, &matched, &requiredFound)
        if collect && matched && rules.additionalProperties == nil { annotate { $0.properties.insert(name) } }
        return valid
    }

    @inline(__always)
    mutating func checkMember(
        _ rules: MemberRules, _ name: String, _ value: JSONValue, _ matched: inout Bool, _ requiredFound: inout Int
    ) -> Bool {
        var valid = true
        if let offset = rules.propertyOffset(named: name) {
            matched = true
            let (node, isRequired) = (rules.propertyList[offset].node, rules.propertyList[offset].isRequired)
            if isRequired { requiredFound += 1 }
            if !validateChild(node, value, key: name) {
                valid = false
                if stopsEarly { return false }
            }
        }
        if !rules.patternProperties.isEmpty && !checkPatternProperties(rules, name, value, &matched) {
            valid = false
            if stopsEarly { return false }
        }
        if !matched, let additional = rules.additionalProperties {
            let passed =
                rules.additionalIsFalse
                ? fail(rules.additionalLocation, "unexpected property \"\(name)\"")
                : validateChild(additional, value, key: name)
            if !passed { valid = false }
        }
        return valid
    }

    /// `patternProperties` for one member.
    mutating func checkPatternProperties(
        _ rules: MemberRules, _ name: String, _ value: JSONValue, _ matched: inout Bool
    ) -> Bool {
        var valid = true
        for (regex, node) in rules.patternProperties {
            guard let isMatch = matches(regex, name) else {
                return exceedLimit(rules.patternLocation, patternLimitMessage("property name", name, regex))
            }
            guard isMatch else { continue }
            matched = true
            if !validateChild(node, value, key: name) {
                valid = false
                if stopsEarly { return false }
            }
        }
        return valid
    }
}
