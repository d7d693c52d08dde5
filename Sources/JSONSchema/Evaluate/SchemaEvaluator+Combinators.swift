import JSON

extension SchemaEvaluator {
    mutating func checkAllOf(_ box: Borrowed<Box<[Int]>>, _ instance: JSONValue, collect: Bool) -> Bool {
        var valid = true
        for node in box.read({ $0.value }) where !validate(node, instance, collect: collect) {
            valid = false
            if stopsEarly { return false }
        }
        return valid
    }

    mutating func checkAnyOf(_ box: Borrowed<Box<[Int]>>, _ at: Int, _ instance: JSONValue, collect: Bool)
        -> Bool
    {
        let nodes = box.object.value
        var valid = false
        for node in nodes {
            let (matched, annotations) = probe(node, instance, collect: collect)
            if matched {
                valid = true
                guard let annotations else { break }
                annotate { $0.merge(annotations) }
            }
        }
        return valid ? true : fail(at, "expected to match at least one schema in anyOf, matched none")
    }

    mutating func checkOneOf(_ box: Borrowed<Box<[Int]>>, _ at: Int, _ instance: JSONValue, collect: Bool)
        -> Bool
    {
        checkOneOf(box.object.value, at, instance, collect: collect)
    }

    mutating func checkOneOf(_ nodes: [Int], _ at: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        // The first match in a local (a second one fails at once): an array of matches cost a
        // heap allocation per valid instance.
        var first: Int?
        var kept: Annotations?
        for (offset, node) in nodes.enumerated() {
            let (matched, annotations) = probe(node, instance, collect: collect)
            guard matched else { continue }
            guard let first else {
                first = offset
                kept = annotations
                continue
            }
            return fail(
                at, "expected to match exactly one schema in oneOf, matched schemas \(first) and \(offset)")
        }
        guard first != nil else {
            return fail(at, "expected to match exactly one schema in oneOf, matched none")
        }
        if let kept { annotate { $0.merge(kept) } }
        return true
    }

    /// `oneOf` with a discriminator: only the branches whose constant equals the instance's
    /// value can match (the others fail on that constant), so only they are evaluated.
    mutating func checkOneOf(
        _ borrowed: Borrowed<OneOfDiscriminator>, _ at: Int, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        let discriminator = borrowed.object
        guard !collect, case .object(let members) = instance else {
            // Annotations come from the matching branch, and a non-object passes `properties`
            // and `required`: the plain evaluation.
            return checkOneOf(discriminator.nodes, at, instance, collect: collect)
        }
        var first: Int?
        if let value = discriminator.value(in: members) {
            for offset in discriminator.nodes.indices where discriminator.constants[offset].contains(value) {
                guard probe(discriminator.nodes[offset], instance, collect: false).0 else { continue }
                guard let first else {
                    first = offset
                    continue
                }
                return fail(at, "expected to match exactly one schema in oneOf, matched schemas \(first) and \(offset)")
            }
        }
        return first != nil ? true : fail(at, "expected to match exactly one schema in oneOf, matched none")
    }

    mutating func checkNot(_ node: Int, _ at: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        if !probe(node, instance, collect: false).0 { return true }
        return fail(at, "expected not to match the schema in not")
    }

    mutating func checkConditional(
        _ condition: Int, _ then: Int?, _ otherwise: Int?, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        if then == nil && otherwise == nil && !collect { return true }
        let (matched, annotations) = probe(condition, instance, collect: collect)
        if matched, let annotations { annotate { $0.merge(annotations) } }
        guard let branch = matched ? then : otherwise else { return true }
        return validate(branch, instance, collect: collect)
    }

    mutating func checkReference(_ node: Int, _ instance: JSONValue, collect: Bool) -> Bool {
        return validate(node, instance, collect: collect)
    }

    mutating func checkDynamicReference(
        _ node: Int, _ box: Borrowed<Box<String>>, _ instance: JSONValue, collect: Bool
    ) -> Bool {
        let anchor = box.object.value
        var target = node
        for resource in dynamicScope {
            if let anchored = program.dynamicAnchors[resource][anchor] {
                target = anchored
                break
            }
        }
        return validate(target, instance, collect: collect)
    }
}
