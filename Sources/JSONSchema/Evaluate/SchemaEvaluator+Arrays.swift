import JSON

extension SchemaEvaluator {
    mutating func checkPrefixItems(_ box: Borrowed<Box<[Int]>>, _ instance: JSONValue, collect: Bool) -> Bool {
        let nodes = box.object.value
        guard case .array(let items) = instance else { return true }
        var valid = true
        for offset in 0..<min(nodes.count, items.count)
        where !validateChild(nodes[offset], items[offset], offset: offset) {
            valid = false
            if stopsEarly { return false }
        }
        if collect { annotate { $0.itemPrefix = max($0.itemPrefix, min(nodes.count, items.count)) } }
        return valid
    }

    mutating func checkItems(_ start: Int, _ node: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        guard case .array(let items) = instance else { return true }
        var valid = true
        // Elements are borrowed from the array's buffer rather than copied out one by one.
        items.withUnsafeBufferPointer { buffer in
            var offset = start
            while offset < buffer.count {
                if !validateChild(node, buffer[offset], offset: offset) {
                    valid = false
                    if stopsEarly { return }
                }
                offset += 1
            }
        }
        if collect && valid && items.count > start { annotate { $0.allItems = true } }
        return valid
    }

    mutating func checkContains(
        _ node: Int, _ minimum: Int, _ maximum: Int?, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        guard case .array(let items) = instance else { return true }
        if minimum == 0 && maximum == nil && !collect { return true }
        var count = 0
        var matched: Set<Int> = []
        for (offset, item) in items.enumerated() where probeChild(node, item) {
            count += 1
            if collect {
                matched.insert(offset)
            } else if maximum == nil && count >= minimum {
                break
            } else if let maximum, count > maximum {
                break
            }
        }
        if collect { annotate { $0.containsIndices.formUnion(matched) } }
        if count < minimum {
            return fail(
                at, "expected at least \(plural(minimum, "item")) matching the contains schema, got \(count)")
        }
        if let maximum, count > maximum {
            return fail(
                at, "expected at most \(plural(maximum, "item")) matching the contains schema, got \(count)")
        }
        return true
    }
}
