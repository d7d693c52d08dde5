import JSON

extension SchemaEvaluator {
    mutating func checkUnevaluatedProperties(
        _ node: Int, _ isFalse: Bool, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        guard case .object(let members) = instance else { return true }
        let seen = frames[frames.count - 1]
        if seen.allProperties { return true }
        var valid = true
        func visit(_ evaluator: inout SchemaEvaluator, _ name: String, _ value: JSONValue) -> Bool {
            seen.properties.contains(name)
                || (isFalse
                    ? evaluator.fail(at, "unexpected property \"\(name)\"")
                    : evaluator.validateChild(node, value, key: name))
        }
        if sortsMembers {
            for (name, value) in members.sorted(by: { $0.key < $1.key }) where !visit(&self, name, value) {
                valid = false
                if stopsEarly { return false }
            }
        } else {
            for (name, value) in members where !visit(&self, name, value) {
                valid = false
                if stopsEarly { return false }
            }
        }
        if valid { annotate { $0.allProperties = true } }
        return valid
    }

    mutating func checkUnevaluatedItems(
        _ node: Int, _ isFalse: Bool, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        let seen = frames[frames.count - 1]
        if seen.allItems { return true }
        var valid = true
        for offset in seen.itemPrefix..<max(seen.itemPrefix, items.count)
        where !seen.containsIndices.contains(offset) {
            let passed =
                isFalse
                ? fail(at, "unexpected item at index \(offset)")
                : validateChild(node, items[offset], offset: offset)
            if !passed {
                valid = false
                if stopsEarly { return false }
            }
        }
        if valid { annotate { $0.allItems = true } }
        return valid
    }
}
