import JSON

extension SchemaEvaluator {
    mutating func checkMembers(_ borrowed: Borrowed<MemberRules>, _ instance: JSONValue, collect: Bool) -> Bool {
        guard case .object(let members) = instance else { return true }
        return borrowed.read { rules in
            if rules.isPlain && !collect && !sortsMembers { return checkPlainMembers(rules, members) }
            return checkMembers(rules, members, collect: collect)
        }
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

    /// The object pass in member order (see ``checkPlainMembers(_:_:)`` for the usual case).
    mutating func checkMembers(_ rules: MemberRules, _ members: JSONObject, collect: Bool) -> Bool {
        var valid = true
        var requiredFound = 0
        if sortsMembers {
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                if !checkMember(rules, name, value, collect: collect, &requiredFound) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        } else {
            for offset in 0..<members.count {
                let (name, value) = members[offset]
                if !checkMember(rules, name, value, collect: collect, &requiredFound) {
                    valid = false
                    if stopsEarly { return false }
                }
            }
        }
        if requiredFound < rules.requiredCount { valid = failMissingRequired(rules, members) }
        if collect && rules.additionalProperties != nil { annotate { $0.allProperties = true } }
        return valid
    }

    /// The object pass for declared properties (with or without `additionalProperties: false`),
    /// the same work in every process. First every member, in document order and without
    /// stopping: its name is matched, required ones counted, unexpected ones noted, and its place
    /// put aside. Then, if that passed or every error is wanted, the declared properties present,
    /// in the compiled order (cheapest first), stopping at the first failure. Checking in one
    /// fixed order, rather than in member order (which differs from one object to the next),
    /// keeps the checks' branches predictable across the records of an array.
    @inline(__always)
    mutating func checkPlainMembers(_ rules: MemberRules, _ members: JSONObject) -> Bool {
        let deferredCount = rules.deferredCount
        return members.withMembers { buffer in
            if deferredCount == 0 { return checkPlainMembers(rules, buffer, deferred: nil) }
            return withUnsafeTemporaryAllocation(of: Int32.self, capacity: deferredCount) { deferred in
                deferred.initialize(repeating: -1)
                return checkPlainMembers(rules, buffer, deferred: deferred)
            }
        }
    }

    /// `deferred` has a place for each property in ``MemberRules/order``: the offset of the
    /// member that has it, or -1.
    private mutating func checkPlainMembers(
        _ rules: MemberRules, _ members: UnsafeBufferPointer<JSONObject.Member>,
        deferred: UnsafeMutableBufferPointer<Int32>?
    ) -> Bool {
        var valid = true
        var requiredFound = 0
        var offset = 0
        while offset < members.count {
            let found = rules.propertyOffset(named: members[offset].key)
            guard let found else {
                if rules.additionalIsFalse {
                    valid = fail(rules.additionalLocation, "unexpected property \"\(members[offset].key)\"")
                }
                offset += 1
                continue
            }
            let slot = rules.slots[found]
            if slot.isRequired { requiredFound += 1 }
            deferred![slot.rank] = Int32(truncatingIfNeeded: offset)
            offset += 1
        }
        if requiredFound < rules.requiredCount { valid = failMissingRequired(rules, members) }
        guard let deferred, valid || !stopsEarly else { return valid }
        for rank in 0..<deferred.count where deferred[rank] >= 0 {
            let property = rules.order[rank]
            let node = rules.slots[property].node
            let value = members[Int(deferred[rank])].value
            let passed =
                recording
                ? validateChild(node, value, key: rules.propertyList[property].name) : validateChild(node, value)
            if !passed {
                valid = false
                if stopsEarly { return false }
            }
        }
        return valid
    }

    /// Fails for each required name that no member has (by code points, as the passes count).
    /// Called only when fewer required members were found than there are required names.
    private mutating func failMissingRequired(_ rules: MemberRules, _ members: JSONObject) -> Bool {
        guard recording else { return false }
        return members.withMembers { failMissingRequired(rules, $0) }
    }

    private mutating func failMissingRequired(
        _ rules: MemberRules, _ members: UnsafeBufferPointer<JSONObject.Member>
    ) -> Bool {
        guard recording else { return false }
        for name in rules.requiredNames where !members.contains(where: { JSONValue.sameCodePoints($0.key, name) }) {
            _ = fail(rules.requiredLocation, "missing required property \"\(name)\"")
        }
        return false
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
            let (node, isRequired) = (rules.slots[offset].node, rules.slots[offset].isRequired)
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
